"""``codehazard run``: ask a model for samples, judge them as they arrive, record, resume.

A thin shell over ``codehazard.generation``: parses options, loads or builds the tasks, shows a
progress display, prints the summary (or exactly one JSON object with ``--json``). Ctrl-C
stops cleanly, keeps everything finished and prints the ``--resume`` command.
"""

from __future__ import annotations

import argparse
import contextlib
import shlex
import sys
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from codehazard.cli._common import (
    add_store_option,
    cap_workers,
    cli_text,
    input_file,
    key_value,
    non_negative_float,
    non_negative_int,
    open_store,
    parse_ks,
    positive_float,
    positive_int,
    print_json,
)
from codehazard.cli._evaluate import (
    add_completeness_options,
    add_execution_options,
    check_completeness,
    format_summary,
    limits_from_args,
    tasks_help,
)
from codehazard.errors import InputError

if TYPE_CHECKING:
    from codehazard.models import GenerationParams
    from codehazard.runs import ProgressState, Run, RunSummary, SessionOptions
    from codehazard.sandbox import Limits
    from codehazard.store import Store
    from codehazard.tasks import Task

# options that define a run; given with --resume they must match what the run recorded
_RUN_DEFINING = (
    "n",
    "temperature",
    "top_p",
    "max_tokens",
    "seed",
    "mode",
    "prompt_form",
    "system_prompt",
    "stop",
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``run`` subcommand."""
    p = sub.add_parser(
        "run",
        help="generate samples with a model and evaluate them as they arrive",
        description="Generate n samples per task with a model backend (openai/<model>, "
        "anthropic/<model>, samples:<path>, tiny: the built-in model, or the offline simulator "
        "simulated), judge each in the sandbox as it arrives, and record everything in the "
        "store. Interrupted runs continue with --resume RUN_ID (their recorded settings "
        "apply).",
    )
    source = p.add_mutually_exclusive_group()
    source.add_argument("--tasks", type=input_file, help=tasks_help())
    from codehazard.models import default_registry
    from codehazard.tasks.suites import suite_registry

    source.add_argument(
        "--suite",
        help=f"a generated suite, or several separated by commas: {suite_registry().listing()} "
        "(see `suites list`)",
    )
    p.add_argument("--model", help=f"model spec: {default_registry().forms()}")
    _add_generation_options(p)
    _add_connection_options(p)
    add_execution_options(p)
    add_store_option(p)
    p.add_argument("--resume", metavar="RUN_ID", help="continue an interrupted run")
    add_completeness_options(p, require_all_tasks=True)
    p.add_argument("--json", action="store_true", help="print one JSON summary object on stdout")
    p.add_argument("--no-progress", action="store_true", help="no progress display")
    _add_suite_options(p)
    p.set_defaults(func=run_run)


def _add_generation_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("sampling (recorded with the run)")
    g.add_argument("-n", type=int, default=None, help="samples per task (default 1)")
    g.add_argument(
        "--temperature", type=non_negative_float, help="sampling temperature (default 0.2)"
    )
    g.add_argument("--top-p", type=float, help="nucleus sampling (default: not sent)")
    g.add_argument("--max-tokens", type=positive_int, help="tokens per completion (default 1024)")
    g.add_argument("--seed", type=int, help="sent as seed + sample index, where supported")
    g.add_argument("--mode", choices=("chat", "completion"), help="endpoint (default chat)")
    g.add_argument(
        "--prompt-form",
        choices=("auto", "instruction", "completion"),
        help="task form sent in chat mode (default auto: the instruction when there is one)",
    )
    g.add_argument("--system-prompt", help="system message (chat mode)")
    g.add_argument(
        "--stop",
        action="append",
        help="stop sequence (repeatable; default: Codex's in completion mode, none in chat)",
    )


def _add_connection_options(p: argparse.ArgumentParser) -> None:
    c = p.add_argument_group("connection (may change on resume)")
    c.add_argument(
        "--base-url",
        help="API root (default $OPENAI_BASE_URL / $ANTHROPIC_BASE_URL, else the provider's); "
        "the server used is recorded, and a resume goes back to it unless this is given",
    )
    c.add_argument("--api-key", help="API key (default $OPENAI_API_KEY / $ANTHROPIC_API_KEY)")
    c.add_argument(
        "--max-connections", type=positive_int, default=16, help="requests in flight (default 16)"
    )
    c.add_argument(
        "--request-timeout",
        type=positive_float,
        default=120.0,
        help="seconds per request (default 120)",
    )
    c.add_argument(
        "--retries",
        type=non_negative_int,
        default=5,
        help="retries per request on 429/5xx/timeouts (5)",
    )
    c.add_argument("--no-cache", action="store_true", help="ask again even for cached prompts")
    c.add_argument(
        "--model-option",
        type=key_value,
        action="append",
        metavar="KEY=VALUE",
        help="a local engine's setting (repeatable): hf takes device, dtype, device_map, "
        "batch_size; vllm takes tensor_parallel_size, dtype, gpu_memory_utilization, "
        "max_model_len, batch_size (docs/local-models.md)",
    )


def _add_suite_options(p: argparse.ArgumentParser) -> None:
    from codehazard.tasks.suites import list_suites

    group = p.add_argument_group("suite parameters (with --suite)")
    seen: set[str] = set()
    for suite in list_suites():
        for param in suite.params:
            if param.name in seen:
                continue
            seen.add(param.name)
            kwargs: dict[str, Any] = {
                "dest": f"suite_{param.name}",
                "default": None,
                "help": f"{param.help} (suites that have it)",
            }
            try:
                group.add_argument(param.flag, **kwargs)
            except argparse.ArgumentError:  # e.g. the suite's --seed: offered as --suite-seed
                group.add_argument("--suite-" + param.name.replace("_", "-"), **kwargs)


def _suite_params(args: argparse.Namespace) -> dict[str, Any]:
    prefix = "suite_"
    return {
        name[len(prefix) :]: value
        for name, value in vars(args).items()
        if name.startswith(prefix) and value is not None
    }


def _load_tasks(args: argparse.Namespace) -> tuple[list[Task], dict[str, Any]]:
    """The tasks named by --tasks or --suite, and where they came from.

    Raises:
        InputError: neither given, a bad file, an unknown suite or a bad suite parameter.
    """
    if args.tasks is not None:
        from codehazard.tasks import load_tasks

        return list(load_tasks(args.tasks).values()), {"file": str(args.tasks.resolve())}
    if args.suite is not None:
        from codehazard.runs import suite_source

        source = suite_source(args.suite, _suite_params(args))
        with _building(args.suite, _show_progress(args)):
            tasks = source.load()
        return tasks, source.record()
    if _suite_params(args):
        raise InputError("suite parameters need --suite NAME")
    raise InputError("name the tasks: --tasks FILE or --suite NAME (or --resume RUN_ID)")


@contextlib.contextmanager
def _building(name: str, show: bool) -> Iterator[None]:
    """A spinner with the elapsed time while a suite is built (it can take tens of seconds:
    every task's reference is checked), so the wait before the run starts is not silent."""
    if not show:
        yield
        return
    from rich.console import Console

    started = time.monotonic()
    console = Console(stderr=True)
    with console.status(f"building suite {name} (generating tasks, checking references)"):
        yield
    console.print(f"codehazard: built suite {name} in {time.monotonic() - started:.1f}s")


def _generation_params(args: argparse.Namespace) -> GenerationParams:
    from pydantic import ValidationError

    from codehazard.models import GenerationParams

    given = {
        "n": args.n,
        "temperature": args.temperature,
        "top_p": args.top_p,
        "max_tokens": args.max_tokens,
        "seed": args.seed,
        "mode": args.mode,
        "prompt_form": args.prompt_form,
        "system_prompt": args.system_prompt,
        "stop": tuple(args.stop) if args.stop else None,
    }
    try:
        return GenerationParams(**{k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        if not first["loc"]:  # a check across options: its message names them
            raise InputError(message) from None
        raise InputError(f"{_flag(str(first['loc'][0]))}: {message}") from None


def _flag(field: str) -> str:
    """The command-line option for a ``GenerationParams`` field (``n`` is ``-n``)."""
    return "-n" if field == "n" else "--" + field.replace("_", "-")


def _session_options(args: argparse.Namespace) -> SessionOptions:
    from pydantic import SecretStr, ValidationError

    from codehazard.generation import RetryPolicy
    from codehazard.models import BackendOptions
    from codehazard.runs import SessionOptions

    if args.max_connections < 1 or args.workers < 1 or args.retries < 0:
        raise InputError("--max-connections and --workers must be at least 1, --retries 0 or more")
    try:
        backend = BackendOptions(
            base_url=args.base_url,
            api_key=SecretStr(args.api_key) if args.api_key else None,
            request_timeout=args.request_timeout,
            max_connections=args.max_connections,
            model_options=dict(args.model_option or ()),
        )
    except ValidationError:
        raise InputError("--request-timeout must be a positive number of seconds") from None
    return SessionOptions(
        workers=cap_workers(args.workers, args.executor),
        isolation=args.isolation,
        max_connections=args.max_connections,
        retry=RetryPolicy(attempts=args.retries + 1),
        read_cache=not args.no_cache,
        backend=backend,
        executor=args.executor,
    )


def _resume_command(args: argparse.Namespace, run_id: str) -> str:
    command = f"codehazard run --resume {run_id}"
    if args.store is not None:
        command += f" --store {args.store}"
    if args.executor != "local":
        command += f" --executor {args.executor}"
    if args.api_key:
        command += " --api-key ..."
    for key, value in args.model_option or ():
        command += f" --model-option {shlex.quote(f'{key}={value}')}"
    return command


def run_run(args: argparse.Namespace) -> int:
    """Start or resume a run; exit 0 when complete, 3 when samples are left (infra), 130 on
    Ctrl-C.

    Raises:
        InputError: bad options, tasks or model spec (exit 2).
        BackendError: the backend cannot be used (exit 3), checked before the run starts.
    """
    from codehazard.runs import RunInterrupted, RunStopped

    ks = parse_ks(args.k)
    limits = limits_from_args(args)
    session = _session_options(args)
    display = _Display(_show_progress(args), lambda run_id: _resume_command(args, run_id))
    with open_store(args) as store:
        try:
            with display:
                result = _start_or_resume(args, store, ks, limits, session, display)
        except RunInterrupted as stop:
            print(
                "codehazard: interrupted; everything finished is saved. Resume with: "
                + _resume_command(args, stop.run_id),
                file=sys.stderr,
            )
            return 130
        except RunStopped as stop:
            print(f"codehazard: error: {cli_text(stop.reason)}", file=sys.stderr)
            print(f"codehazard: resume with: {_resume_command(args, stop.run_id)}", file=sys.stderr)
            return 3
    for notice in result.notices:
        print(f"codehazard: {cli_text(notice)}", file=sys.stderr)
    if args.json:
        print_json(result.summary.to_json())
    else:
        print(format_run_summary(result.summary))
    resume = _resume_command(args, result.run_id)
    code = check_completeness(result.summary, args, resume)
    missing = result.summary.missing_samples or 0
    if code != 3 and missing:
        print(
            f"codehazard: error: {missing} samples could not be generated or judged "
            f"(infrastructure, not counted against the model); retry them with: {resume}",
            file=sys.stderr,
        )
        return 3
    return code


def _start_or_resume(
    args: argparse.Namespace,
    store: Store,
    ks: tuple[int, ...],
    limits: Limits,
    session: SessionOptions,
    display: _Display,
) -> Run:
    from codehazard.runs import RunConfig, resume, start, tasks_digest

    if args.resume:
        expect: dict[str, Any] = {"model": args.model}
        expect.update({name: getattr(args, name) for name in _RUN_DEFINING})
        if args.tasks is not None or args.suite is not None:
            expect["tasks_digest"] = tasks_digest(_load_tasks(args)[0])
        return resume(
            args.resume,
            store=store,
            session=session,
            progress=display.update,
            expect=expect,
            scorers=tuple(args.scorer),
        )
    if not args.model:
        raise InputError("--model is required, e.g. --model openai/gpt-4o-mini or --model tiny")
    tasks, source = _load_tasks(args)
    config = RunConfig(
        model=args.model,
        params=_generation_params(args),
        base_url=args.base_url,
        tasks_source=source,
        limits=limits.as_dict(),
        ks=ks,
        scorers=tuple(args.scorer),
    )
    result = start(store, tasks, config, session=session, progress=display.update)
    result.notices.extend(f"note: {note}" for note in _suite_advice(args))
    return result


def _suite_advice(args: argparse.Namespace) -> list[str]:
    """The suite's warnings about its parameters (``[]`` without ``--suite``)."""
    if args.suite is None:
        return []
    from codehazard.runs import SuitesSource, suite_source
    from codehazard.tasks.suites import get_suite

    source = suite_source(args.suite, _suite_params(args))
    parts = source.parts if isinstance(source, SuitesSource) else (source,)
    return [note for part in parts for note in get_suite(part.name).advise(**part.params)]


def _show_progress(args: argparse.Namespace) -> bool:
    return not (args.json or args.no_progress) and sys.stdout.isatty() and sys.stderr.isatty()


def format_run_summary(summary: RunSummary) -> str:
    """The evaluation summary followed by the model, token, request and timing lines."""
    gen = summary.generation or {}
    latency = gen.get("latency_s", {})
    lines = [format_summary(summary, None), f"  model: {summary.model}"]
    if summary.simulated:
        lines[-1] += "  (simulated: a demonstration, not a measurement)"
    lines.append(
        f"  tokens: {gen.get('prompt_tokens', 0)} prompt + {gen.get('completion_tokens', 0)} "
        f"completion; {gen.get('requests', 0)} requests, {gen.get('cache_hits', 0)} cache hits, "
        f"{gen.get('failed', 0)} failed generations"
    )
    if latency.get("mean") is not None:
        lines.append(
            f"  latency: mean {latency['mean']:.2f}s, p95 {latency['p95']:.2f}s; "
            f"wall {(summary.timings or {}).get('wall_s', 0.0):.1f}s"
        )
    return "\n".join(lines)


class _Display:
    """A rich progress bar on stderr (done/total, pass rate so far, rate, ETA), or nothing."""

    def __init__(self, enabled: bool, resume_command: Callable[[str], str]) -> None:
        self.enabled = enabled
        self._resume_command = resume_command
        self._bar: Any = None
        self._task: Any = None
        self._announced = False

    def __enter__(self) -> _Display:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(bar_width=24),
                MofNCompleteColumn(),
                TextColumn("{task.fields[stats]}"),
                console=Console(stderr=True),
                transient=True,
            )
            self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def update(self, state: ProgressState) -> None:
        """Called by the pipeline after every event."""
        if not self._announced:
            self._announced = True
            print(
                f"codehazard: run {state.run_id}: {state.total} samples "
                f"(if interrupted: {self._resume_command(state.run_id)})",
                file=sys.stderr,
            )
        if self._bar is None:
            return
        if self._task is None:
            self._task = self._bar.add_task("run", total=state.total, stats="")
        rate = state.pass_rate
        eta = state.eta
        stats = (
            f"pass {'-' if rate is None else f'{rate:.1%}'}  {state.rate:.1f}/s  "
            f"ETA {'-' if eta is None else _clock(eta)}  new {state.generated} "
            f"cached {state.cache_hits} failed {state.failed_generations}"
        )
        self._bar.update(self._task, completed=state.done, stats=stats)


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
