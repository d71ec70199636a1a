"""Configuration at the edge: typed schema, Hydra registration, validation, and the
conversion into the plain numbers of `sim.model.params.ModelParams`."""
