"""The vault inside the office app: the stored header, per-case keys, unseal/seal, field crypto.

Views and domain code never touch keys: they call :mod:`passage.sealing.service`.
"""
