"""Exporters: the store's content written out in other tools' formats (the ArchiMate exchange
format, :mod:`svckg.export.archimate`). They read the store and never write to it."""
