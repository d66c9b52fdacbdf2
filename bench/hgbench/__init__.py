"""bench/run's modules: settings, procs, servers, load, figures, report."""
