"""lrcore's internals: how its classes run on the C++ core (accel), argument and state checks
(checks), the atomic Python paths (transaction), torch's warnings (warn), the adoption of torch's
base classes (torch_compat) and annotation types (typing). Nothing here is public API."""
