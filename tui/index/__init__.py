"""The derived, rebuildable index: clusters, postings, search structures, paper and row records."""
