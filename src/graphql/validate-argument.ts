import { validate, type ValidationError, type ValidatorOptions } from 'class-validator';
import { getNamedType, type GraphQLArgument } from 'graphql';
import { getMetadataStorage, type ValidatorFn } from 'type-graphql';
import { BadUserInputError } from './errors';

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
  const [property, message] = firstValidationProblem(errors);
  const argument = argumentNameOf(type, info.parentType.getFields()[info.fieldName]?.args ?? []);
  throw new BadUserInputError(argument ? `${argument}.${property}` : property, message);
};

/** The argument of the field whose input type is the class `type`; none for an `@ArgsType`'s flat arguments. */
function argumentNameOf(type: unknown, args: readonly GraphQLArgument[]): string | undefined {
  const inputTypeName = getMetadataStorage().inputTypes.find((input) => input.target === type)?.name;
  if (!inputTypeName) return undefined;
  return args.find((arg) => getNamedType(arg.type).name === inputTypeName)?.name;
}

/** The path and message of the first constraint that failed, looking into nested inputs. */
export function firstValidationProblem(errors: ValidationError[], prefix = ''): [string, string] {
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const constraint = error.constraints && Object.values(error.constraints)[0];
    if (constraint) return [path, constraint];
    if (error.children?.length) return firstValidationProblem(error.children, path);
  }
  return [prefix || 'input', 'Invalid input'];
}
