import { fieldExtensionsEstimator, getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { getNamedType, isCompositeType, Kind, visit, type DocumentNode, type GraphQLSchema } from 'graphql';
import { MAX_PAGE_SIZE } from '../../shared/pagination';
import { AppError, ErrorCode } from '../../shared/errors';

/**
 * The cost model, Shopify's in spirit, computed by graphql-query-complexity on the document *with its variables
 * coerced*: a page size given as `$first` multiplies its children exactly as a literal `first: 100` does.
 *
 * - A field that returns an object (or a list of them) costs 1 plus its selection; a scalar or enum costs 0.
 * - A connection (a field with a `first` argument) costs 1 plus `max(first, 1)` times its selection: every node of
 *   the page is resolved once (`first: 0` still counts its `totalCount`).
 * - A field may declare its own cost with type-graphql's `complexity` option (log-ins and sign-ups, which hash a
 *   password; checkout): that number plus its selection.
 */
const connectionEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  if (typeof args.first !== 'number') return undefined;
  // A page above MAX_PAGE_SIZE never runs (BAD_USER_INPUT on `first`, the contract's answer): priced as the largest.
  return 1 + Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(args.first))) * childComplexity;
};

const objectEstimator: ComplexityEstimator = ({ field, childComplexity }) =>
  isCompositeType(getNamedType(field.type)) ? 1 + childComplexity : 0;

/** Costs remembered per parsed document (one per set of page sizes), forgotten all at once past this. */
const MAX_REMEMBERED_PER_DOCUMENT = 64;
/** Page sizes longer than this (as JSON) are measured every time: a key must not hold a large input. */
const MAX_REMEMBERED_KEY_LENGTH = 1_024;

/** Documents whose walk visits more nodes than this (fragments spread many times over) are too complex at once. */
const MAX_VISITED_NODES = 10_000;

export type CostMeasure =
  | { kind: 'measured'; cost: number }
  /** The walk gave up: more nodes than {@link MAX_VISITED_NODES} once fragments are expanded. */
  | { kind: 'too-large' }
  /** The variables do not fit the operation: execution will refuse them (BAD_USER_INPUT) before any resolver runs. */
  | { kind: 'invalid-variables' };

export interface QueryCost {
  /** The most an operation may cost. */
  readonly maxCost: number;
  /** The cost of the operation `operationName` of `document` with these (raw, uncoerced) variables. */
  measure(document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> | null | undefined): CostMeasure;
  /**
   * `measure`, then the limit: the operation's cost, or a QUERY_TOO_COMPLEX error (with `cost` and `limit` in its
   * extensions) to answer instead of running it. Invalid variables cost 1: nothing runs, their error comes from execution
   * (unless their page sizes were priced before with valid variables: then that cost, which errs on the safe side).
   */
  check(document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> | null | undefined): number | AppError;
}

/** @param maxCost the most one operation may cost (`QUERY_MAX_COST`, default 5,000). */
export function createQueryCost(schema: GraphQLSchema, maxCost: number): QueryCost {
  const estimators = [connectionEstimator, fieldExtensionsEstimator(), objectEstimator];
  const rememberedByDocument = new WeakMap<DocumentNode, { pageSizeVariables: string[]; measured: Map<string, CostMeasure> }>();
  const measure: QueryCost['measure'] = (document, operationName, variables) => {
    // The walk costs as much as executing a small page does; the same document with the same page sizes (a
    // storefront's every `Catalog(first: 20)`, every Checkout whatever its address) costs the same: remembered per
    // parsed document (Apollo caches those) and the values of the variables given as `first`, the only ones the
    // cost reads (the fields' own costs are constants).
    let remembered = rememberedByDocument.get(document);
    if (!remembered) rememberedByDocument.set(document, (remembered = { pageSizeVariables: pageSizeVariablesOf(document), measured: new Map() }));
    const pageSizes = remembered.pageSizeVariables.map((name) => variables?.[name]);
    const key = `${operationName ?? ''}\u0000${JSON.stringify(pageSizes)}`;
    if (key.length > MAX_REMEMBERED_KEY_LENGTH) return walk(document, operationName, variables);
    const known = remembered.measured.get(key);
    if (known) return known;
    const measured = walk(document, operationName, variables);
    // Invalid variables are never remembered: they cost 1 (execution refuses them), which must not become the cost
    // of the valid requests that share their page sizes.
    if (measured.kind !== 'invalid-variables') {
      if (remembered.measured.size >= MAX_REMEMBERED_PER_DOCUMENT) remembered.measured.clear();
      remembered.measured.set(key, measured);
    }
    return measured;
  };
  const walk: QueryCost['measure'] = (document, operationName, variables) => {
    try {
      const cost = getComplexity({
        schema,
        query: document,
        variables: (variables ?? {}) as Record<string, unknown>,
        operationName: operationName ?? undefined,
        estimators,
        maxQueryNodes: MAX_VISITED_NODES,
      });
      return { kind: 'measured', cost };
    } catch (error) {
      if (error instanceof Error && /maximum allowed number of nodes/.test(error.message)) return { kind: 'too-large' };
      return { kind: 'invalid-variables' };
    }
  };
  return {
    maxCost,
    measure,
    check(document, operationName, variables) {
      const measured = measure(document, operationName, variables);
      if (measured.kind === 'invalid-variables') return 1;
      if (measured.kind === 'measured' && measured.cost <= maxCost) return measured.cost;
      const cost = measured.kind === 'measured' ? measured.cost : null;
      return new AppError(
        ErrorCode.QUERY_TOO_COMPLEX,
        cost === null ? 'Query is too complex to measure' : `Query is too expensive: its cost is ${cost}, the limit ${maxCost}`,
        { cost, limit: maxCost, http: { status: 400 } },
      );
    },
  };
}

/** The names of the variables that `document` gives as a `first` argument, in its fragments too, sorted. */
function pageSizeVariablesOf(document: DocumentNode): string[] {
  const names = new Set<string>();
  visit(document, {
    Argument(argument) {
      if (argument.name.value === 'first' && argument.value.kind === Kind.VARIABLE) names.add(argument.value.name.value);
    },
  });
  return [...names].sort();
}
