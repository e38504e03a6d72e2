package graph

// gqlgen resolves the paths in gqlgen.yml from the working directory, so run it from the root.
//go:generate go -C .. tool gqlgen generate
