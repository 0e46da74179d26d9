"""Formula trees and what serves them: the registry, calculus, parsing and printing. Knows nothing about problems."""
