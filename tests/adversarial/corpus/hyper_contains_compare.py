# attempts: a password check that compares with `attempt in stored` after a length check,
#   hoping a membership test is served as one read of constant cost (it costs what a naive
#   search looks at, so the work still depends on the stored password)
# task: adv/hyper_password
# accept: failed
def check_password(stored, attempt):
    return len(stored) == len(attempt) and attempt in stored
