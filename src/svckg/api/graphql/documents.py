"""Parsed and validated GraphQL documents, cached per schema and query text.

One strawberry extension does what ``MaxTokensLimiter``, ``ParserCache``,
``AddValidationRules`` (the depth limit), ``DisableIntrospection`` and ``ValidationCache``
did as five: a request whose query text was seen before gets the parsed document and the
validation verdict (depth limit and introspection switch included) from one look-up, with
one extension object and two hooks instead of five objects and their hooks.

The cache key holds the schema, the query text, the token limit and the validation rules,
so apps with other limits never share a verdict. Documents that fail to parse (syntax or
token limit) are not cached: strawberry parses them again with the same token limit and
reports the error as usual.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.extensions.query_depth_limiter import create_validator
from strawberry.schema.schema import validate_document

from svckg.api.graphql.cost import cost_rule

Rules = tuple[type[ASTValidationRule], ...]


class Prepared:
    """A parsed document and its validation errors (empty when valid)."""

    __slots__ = ("document", "errors")

    def __init__(self, document: DocumentNode, errors: list[GraphQLError]):
        self.document = document
        self.errors = errors


def _prepare(schema: GraphQLSchema, query: str, max_tokens: int, rules: Rules) -> Prepared:
    document = parse(query, max_tokens=max_tokens)
    return Prepared(document, validate_document(schema, document, rules))


def document_cache(maxsize: int) -> Any:
    """A thread-safe LRU of :class:`Prepared` documents keyed on (schema, query text, token
    limit, rules); parse errors propagate and are not cached."""
    return lru_cache(maxsize=maxsize)(_prepare)


class CachedDocuments(SchemaExtension):
    """Parse with the token limit, validate with the extra rules, both from ``cache``."""

    def __init__(self, cache: Any, max_tokens: int, extra_rules: Rules):
        super().__init__()
        self.cache = cache
        self.max_tokens = max_tokens
        self.extra_rules = extra_rules
        self.prepared: Prepared | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = self.max_tokens  # also for strawberry's re-parse
        context.validation_rules = (*context.validation_rules, *self.extra_rules)
        if context.graphql_document is None and context.query:
            try:
                self.prepared = self.cache(
                    context.schema.graphql_core_schema,
                    context.query,
                    self.max_tokens,
                    context.validation_rules,
                )
            except GraphQLError:
                self.prepared = None  # strawberry parses again and reports the error
            else:
                context.graphql_document = self.prepared.document
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        prepared = self.prepared
        if prepared is not None and context.graphql_document is prepared.document:
            context.pre_execution_errors = prepared.errors
        yield


def limit_rules(max_depth: int, introspection: bool, max_cost: int) -> Rules:
    """The validation rules svckg adds: the depth limit, the cost limit
    (:func:`svckg.api.graphql.cost.cost_rule`) and, when switched off, no introspection."""
    rules: list[type[ASTValidationRule]] = [create_validator(max_depth, None), cost_rule(max_cost)]
    if not introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return tuple(rules)


class CachedDocumentsFactory:
    """The extension factory of one schema: every request gets a :class:`CachedDocuments`
    sharing :attr:`cache`."""

    def __init__(
        self, max_tokens: int, max_depth: int, introspection: bool, maxsize: int, max_cost: int
    ):
        self.cache = document_cache(maxsize)
        """The LRU (``cache_info()`` tells hits and misses)."""
        self.max_tokens = max_tokens
        self.rules = limit_rules(max_depth, introspection, max_cost)

    def __call__(self) -> CachedDocuments:
        return CachedDocuments(self.cache, self.max_tokens, self.rules)
