# attempts: pass with annotations naming what the program never imported (List, Dict), which
#   Python itself rejects with NameError unless the harness's own `from __future__ import
#   annotations` leaks into the candidate's compilation
# task: adv/add
# accept: error
def add(a: List[int], b: Dict[str, int]) -> Optional[int]:  # noqa: F821
    return a + b
