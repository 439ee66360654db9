import { ValidateBy, type ValidationOptions } from 'class-validator';

/** class-validator: the string must hold no match of `pattern` (class-validator has `Matches`, not its negation). */
export function NotMatches(pattern: RegExp, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    { name: 'notMatches', constraints: [pattern], validator: { validate: (value: unknown) => typeof value !== 'string' || !pattern.test(value) } },
    options,
  );
}
