import { validate, type ValidationError, type ValidatorOptions } from 'class-validator';
import { getNamedType, type GraphQLArgument } from 'graphql';
import { getMetadataStorage, type ValidatorFn } from 'type-graphql';
import { BadUserInputError, type FieldProblem } from '../shared/errors';

/** type-graphql's own defaults: a missing optional property is not validated, undecorated inputs pass. */
const OPTIONS: ValidatorOptions = { skipMissingProperties: true, forbidUnknownValues: false };

/**
 * class-validator over every argument, as type-graphql would run it, but failing with the contract's
 * BAD_USER_INPUT and the field as the client wrote it: class-validator names only the property (`shopId`),
 * and the client sent `filter.shopId`. Arguments of an `@ArgsType` are top-level already (`first`).
 */
export const validateArgument: ValidatorFn = async (value, type, { info, args }) => {
  const argument = () => argumentNameOf(type, info.parentType.getFields()[info.fieldName]?.args ?? []) ?? Object.keys(args).find((name) => args[name] === value);
  const badText = findBadText(value);
  if (badText !== undefined) {
    const name = argument();
    const field = [name, badText.path].filter(Boolean).join('.') || 'input';
    throw new BadUserInputError(field, `${field} must not contain NUL characters or unpaired surrogates`);
  }
  if (value === null || typeof value !== 'object') return;
  trimStrings(value);
  const items = (Array.isArray(value) ? value : [value]).filter((item) => item !== null && typeof item === 'object');
  const errors = (await Promise.all(items.map((item) => validate(item as object, OPTIONS)))).flat();
  if (!errors.length) return;
  const name = argumentNameOf(type, info.parentType.getFields()[info.fieldName]?.args ?? []);
  const problems = validationProblems(errors).map(({ field, message }) => ({ field: name ? `${name}.${field}` : field, message }));
  throw BadUserInputError.of(problems as [FieldProblem, ...FieldProblem[]]);
};

/** The argument of the field whose input type is the class `type`; none for an `@ArgsType`'s flat arguments. */
function argumentNameOf(type: unknown, args: readonly GraphQLArgument[]): string | undefined {
  const inputTypeName = getMetadataStorage().inputTypes.find((input) => input.target === type)?.name;
  if (!inputTypeName) return undefined;
  return args.find((arg) => getNamedType(arg.type).name === inputTypeName)?.name;
}

/**
 * Every invalid field, in input order, with the first failed constraint of each, looking into nested inputs and
 * lists (`images.1.url`). Never empty: errors with no constraint anywhere give one `Invalid input`.
 */
export function validationProblems(errors: ValidationError[], prefix = ''): FieldProblem[] {
  const problems = errors.flatMap((error): FieldProblem[] => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const constraint = error.constraints && Object.values(error.constraints)[0];
    if (constraint) return [{ field: path, message: constraint }];
    return error.children?.length ? validationProblems(error.children, path).filter((problem) => problem.message !== INVALID_INPUT) : [];
  });
  return problems.length ? problems : [{ field: prefix || 'input', message: INVALID_INPUT }];
}

const INVALID_INPUT = 'Invalid input';

/** Levels of nested inputs that {@link findBadText} and {@link trimStrings} walk; the schema's inputs nest far less. */
const MAX_INPUT_DEPTH = 16;

/**
 * The path (`shippingAddress.name`, `''` for the value itself) of the first string holding a NUL or an unpaired
 * surrogate. PostgreSQL refuses NUL in text (an internal error once) and UTF-8 cannot encode a lone surrogate.
 */
export function findBadText(value: unknown): { path: string } | undefined {
  const stack: [unknown, string, number][] = [[value, '', 0]];
  while (stack.length) {
    const [item, path, depth] = stack.pop()!;
    if (typeof item === 'string') {
      if (item.includes('\u0000') || !(item as string & { isWellFormed(): boolean }).isWellFormed()) return { path };
    } else if (item !== null && typeof item === 'object' && depth < MAX_INPUT_DEPTH) {
      for (const [key, child] of Object.entries(item)) stack.push([child, Array.isArray(item) ? path : path ? `${path}.${key}` : key, depth + 1]);
    }
  }
  return undefined;
}

/** Fields whose spaces are part of the value: secrets are never trimmed. */
const UNTRIMMED = /password|token|secret/i;

/**
 * Trims, in place, every string of an input object (nested ones too) but secrets, before class-validator checks
 * lengths: a shipping name of three spaces is blank, not three characters long.
 */
function trimStrings(value: object, depth = 0): void {
  if (depth >= MAX_INPUT_DEPTH) return;
  for (const [key, child] of Object.entries(value)) {
    if (typeof child === 'string' && !UNTRIMMED.test(key) && !Array.isArray(value)) (value as Record<string, unknown>)[key] = child.trim();
    else if (child !== null && typeof child === 'object') trimStrings(child, depth + 1);
  }
}
