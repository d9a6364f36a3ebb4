"""GraphQL API on ``/graphql``: a schema generated from the ontology and shapes
(:mod:`.model`, :mod:`.schema`), per-request DataLoaders (:mod:`.loaders`), impact, trace and
named queries (:mod:`.analysis`), validated writes (:mod:`.writes`) and the router
(:mod:`.router`)."""
