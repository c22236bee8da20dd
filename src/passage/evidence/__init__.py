"""Evidence locker: encrypted files, OCR text, translations, chain of custody."""
