"""The ``lrcore`` command-line application: ``lrcore demo``, ``lrcore plot``, ``lrcore bench``
(the library does not import it)."""
