import { validate, type ValidationError, type ValidatorOptions } from 'class-validator';
import { getNamedType, type GraphQLArgument } from 'graphql';
import { getMetadataStorage, type ValidatorFn } from 'type-graphql';
import { BadUserInputError, type FieldProblem } from './errors';

/** type-graphql's own defaults: a missing optional property is not validated, undecorated inputs pass. */
const OPTIONS: ValidatorOptions = { skipMissingProperties: true, forbidUnknownValues: false };

/**
 * class-validator over every argument, as type-graphql would run it, but failing with the contract's
 * BAD_USER_INPUT and the field as the client wrote it: class-validator names only the property (`shopId`),
 * and the client sent `filter.shopId`. Arguments of an `@ArgsType` are top-level already (`first`).
 */
export const validateArgument: ValidatorFn = async (value, type, { info }) => {
  if (value === null || typeof value !== 'object') return;
  const items = (Array.isArray(value) ? value : [value]).filter((item) => item !== null && typeof item === 'object');
  const errors = (await Promise.all(items.map((item) => validate(item as object, OPTIONS)))).flat();
  if (!errors.length) return;
  const argument = argumentNameOf(type, info.parentType.getFields()[info.fieldName]?.args ?? []);
  const problems = validationProblems(errors).map(({ field, message }) => ({ field: argument ? `${argument}.${field}` : field, message }));
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
