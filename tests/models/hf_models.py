"""Tiny randomly initialised transformers models, built in a directory with nothing downloaded.

A byte-level BPE tokenizer learnt on a few lines of Python with the ``tokenizers`` library, and
a Llama- or GPT-2-shaped model of a few thousand parameters whose weights are drawn wide
(``initializer_range``), so that its next-token distributions are peaked: a greedy choice then
never hangs on a float rounding, and batched and one-by-one decoding can be compared exactly.
"""

from __future__ import annotations

from pathlib import Path

CORPUS = [
    "def add(a, b):\n    return a + b\n",
    "def f(s):\n    s = s.lower()\n    s = s.replace(' ', '!')\n    return s\n",
    "Complete the following Python function.\n```python\nclass X:\n    pass\n```\n",
    "if x:\n    print(x)\n# done\n",
]

CHAT_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)
"""A small chat template: each message under its role, the assistant's turn opened last."""

NO_SYSTEM_TEMPLATE = (
    "{% if messages[0]['role'] == 'system' %}{{ raise_exception('no system role') }}{% endif %}"
    + CHAT_TEMPLATE
)
"""A template that refuses a system message, as some models' do."""


def build_model(
    directory: Path,
    *,
    arch: str = "llama",
    chat_template: str | None = CHAT_TEMPLATE,
    context: int = 256,
    seed: int = 0,
    width: int = 32,
    heads: int = 4,
) -> Path:
    """Write a tokenizer and a random ``arch`` (``llama`` or ``gpt2``) model to ``directory``
    with ``save_pretrained``; no pad token (the backend falls back to the end of sequence).
    ``width`` and ``heads`` size it (vLLM's attention kernels want heads 64 wide or so)."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import (
        GPT2Config,
        GPT2LMHeadModel,
        LlamaConfig,
        LlamaForCausalLM,
        PreTrainedTokenizerFast,
    )

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=320,
        special_tokens=["<s>", "</s>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    bpe.train_from_iterator(CORPUS * 4, trainer)
    bos = bpe.token_to_id("<s>")
    bpe.post_processor = processors.TemplateProcessing(
        single="<s> $A", special_tokens=[("<s>", bos)]
    )
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, bos_token="<s>", eos_token="</s>")
    if chat_template is not None:
        tokenizer.chat_template = chat_template
    ids = {"bos_token_id": bos, "eos_token_id": tokenizer.eos_token_id}
    torch.manual_seed(seed)
    if arch == "llama":
        config = LlamaConfig(
            vocab_size=len(tokenizer),
            hidden_size=width,
            intermediate_size=2 * width,
            num_hidden_layers=2,
            num_attention_heads=heads,
            num_key_value_heads=heads // 2,
            max_position_embeddings=context,
            initializer_range=0.5,
            **ids,
        )
        model = LlamaForCausalLM(config)
    else:
        config = GPT2Config(
            vocab_size=len(tokenizer),
            n_embd=width,
            n_layer=2,
            n_head=heads,
            n_positions=context,
            initializer_range=0.5,
            **ids,
        )
        model = GPT2LMHeadModel(config)
    directory.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory
