"""Sync by file, as use cases: the commune's identity and devices, export, import, review.

- :mod:`identity`: device keys, the commune's sync identity (hub), registering member devices,
  setup files and joining a commune with one;
- :mod:`exchange`: export of packages (incremental by default) and import (verify, dry run,
  apply in one transaction, import log);
- :mod:`review`: conflicts and probable duplicate households waiting for a person;
- :mod:`carried`: forms and label packs that travel with setup files and packages.

The package format itself (no database) is :mod:`fieldapp.sync`.
"""
