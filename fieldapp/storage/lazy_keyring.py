"""fieldapp.storage.keyring, imported on first use (PEP 562): the sign-in dialog, the app's
first frame, is drawn before anything needs the keyring or PyNaCl."""


def __getattr__(name: str):
    from fieldapp.storage import keyring

    return getattr(keyring, name)
