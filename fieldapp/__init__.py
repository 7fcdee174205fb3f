"""fieldapp: offline survey and support-session tool for community digital-technology teams."""

__version__ = "0.1.0"
