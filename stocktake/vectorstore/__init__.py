"""Local embeddings and the persistent Chroma store behind schema-doc retrieval."""
