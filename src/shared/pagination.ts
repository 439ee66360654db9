import { ArgsType, Directive, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { cacheHint } from './cache-hints';
import { BadUserInputError } from './errors';
import { isId } from './ids';

/** The most items one page may hold; a larger `first` fails with BAD_USER_INPUT. */
export const MAX_PAGE_SIZE = 100;

@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, { description: `How many items, from 0 to ${MAX_PAGE_SIZE}.` })
  first!: number;

  @Field(() => String, { nullable: true, description: 'The `endCursor` of the previous page.' })
  after?: string | null;
}

/** A validated page request: how many, and the id after which to continue (keyset, never OFFSET). */
export interface PageRequest {
  first: number;
  afterId: string | null;
}

/** Checks `first` and decodes `after`; `names` are the argument names that errors report. */
export function pageRequest(args: { first: number; after?: string | null }, names = { first: 'first', after: 'after' }): PageRequest {
  if (!Number.isInteger(args.first) || args.first < 0 || args.first > MAX_PAGE_SIZE) {
    throw new BadUserInputError(names.first, `\`first\` must be between 0 and ${MAX_PAGE_SIZE}`);
  }
  return { first: args.first, afterId: args.after ? decodeCursor(args.after, names.after) : null };
}

const CURSOR_PREFIX = 'c1:';

/** Cursors are opaque to clients: base64url of a versioned id, so that the format can change. */
export function encodeCursor(id: string): string {
  return Buffer.from(CURSOR_PREFIX + id, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, field = 'after'): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = decoded.startsWith(CURSOR_PREFIX) ? decoded.slice(CURSOR_PREFIX.length) : '';
  if (!isId(id)) throw new BadUserInputError(field, 'Invalid cursor');
  return id;
}

// Pages, edges and page info are as cacheable as the field that lists them (Apollo's cache hints).
@Directive(cacheHint({ inheritMaxAge: true }))
@ObjectType({ description: "Where a page stands in its list, as Relay's connection specification defines it." })
export class PageInfo {
  @Field({ description: 'Whether items follow this page.' })
  hasNextPage!: boolean;

  @Field({ description: 'Whether items precede this page: true when `after` was given and an item of the list comes before the page.' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'The cursor of the first edge of this page; null on an empty page.' })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to get the next page; null on an empty page.' })
  endCursor!: string | null;
}

/** PageInfo as a connection holds it: `hasPreviousPage` may be a query, run only when a client asks for it. */
export interface LazyPageInfo {
  hasNextPage: boolean;
  readonly hasPreviousPage: boolean | Promise<boolean>;
  startCursor: string | null;
  endCursor: string | null;
}

/** What a connection is made of: the rows of the page (at most `first + 1` fetched) and how to count all. */
export interface PageSource<T extends { id: string }> {
  /** Up to `first + 1` rows in order: the extra one only says that there is a next page. */
  rows: T[];
  first: number;
  /** Counts every item that the filter matches, ignoring the cursor; called only if `totalCount` is asked. */
  count: () => Promise<number>;
  /** The `after` of the request (the id it decodes to): without one, nothing precedes the page. */
  afterId?: string | null;
  /**
   * Whether an item of the list comes before the page, i.e. has an id of at least `afterId` (newest first): called
   * only when `after` was given and `hasPreviousPage` is asked.
   */
  precedes?: (afterId: string) => Promise<boolean>;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: LazyPageInfo;
  /** A getter: the count query runs only when a client asks for `totalCount`. */
  readonly totalCount: Promise<number>;
}

/**
 * Builds a connection from a keyset page: the extra row becomes `hasNextPage`; `hasPreviousPage` asks
 * `precedes` (Relay: true when `after` was given and an item comes before it), only if a client selects it.
 */
export function toConnection<T extends { id: string }>(source: PageSource<T>): Connection<T> {
  const hasNextPage = source.rows.length > source.first;
  const rows = hasNextPage ? source.rows.slice(0, source.first) : source.rows;
  const edges = rows.map((node) => ({ cursor: encodeCursor(node.id), node }));
  const { afterId, precedes } = source;
  let previous: Promise<boolean> | undefined;
  return {
    edges,
    pageInfo: {
      hasNextPage,
      get hasPreviousPage() {
        if (!afterId) return false;
        if (!precedes) throw new Error('a connection paged with `after` needs `precedes` to tell hasPreviousPage');
        return (previous ??= precedes(afterId));
      },
      startCursor: edges.length ? edges[0]!.cursor : null,
      endCursor: edges.length ? edges[edges.length - 1]!.cursor : null,
    },
    get totalCount() {
      return source.count();
    },
  };
}

/** Declares `<Name>Connection` and `<Name>Edge` object types for a node type. */
export function ConnectionType<T extends object>(nodeType: ClassType<T>) {
  const name = nodeType.name;

  @Directive(cacheHint({ inheritMaxAge: true }))
  @ObjectType(`${name}Edge`, { description: `One ${name} of a page, with its cursor.` })
  class EdgeType {
    @Field({ description: 'Opaque position of this edge, for `after`.' })
    cursor!: string;

    @Field(() => nodeType, { description: `The ${name} itself.` })
    node!: T;
  }

  @Directive(cacheHint({ inheritMaxAge: true }))
  @ObjectType(`${name}Connection`, { description: `A page of ${name} items, newest first.` })
  class ConnectionClass {
    @Field(() => [EdgeType], { description: 'The items of this page, in order, each with its cursor.' })
    edges!: EdgeType[];

    @Field(() => PageInfo, { description: 'Whether pages precede and follow this one, and the cursors to reach them.' })
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'How many items match, over every page. Exact.' })
    totalCount!: number;
  }
  return ConnectionClass;
}
