import { Directive, Field, Int, ObjectType } from 'type-graphql';
import { cacheHint } from './cache-hints';

/**
 * ISO 4217 currencies we sell in, with the number of digits of their minor unit. Amounts are always
 * integers in the minor unit (cents for USD, yen for JPY): no floats anywhere near money.
 */
export const CURRENCY_MINOR_DIGITS: Readonly<Record<string, number>> = {
  AUD: 2, BRL: 2, CAD: 2, CHF: 2, CZK: 2, DKK: 2, EUR: 2, GBP: 2, HKD: 2, HUF: 2, INR: 2, JPY: 0, KRW: 0,
  MXN: 2, NOK: 2, NZD: 2, PLN: 2, SEK: 2, SGD: 2, THB: 2, TWD: 2, USD: 2, ZAR: 2, MAD: 2, TRY: 2, VND: 0,
};

export const SUPPORTED_CURRENCIES = Object.keys(CURRENCY_MINOR_DIGITS).sort();

/**
 * An amount in minor units for people to read (`formatMoney(1250, 'EUR')` is `€12.50`, `formatMoney(1500, 'JPY')`
 * `¥1,500`), with the currency's own minor-unit digits. The decimal point is placed in the digits' text and
 * Intl formats that exact decimal string: no division, so no float ever touches the amount. Default locale `en`.
 */
export function formatMoney(amount: number, currency: string, locale = 'en'): string {
  if (!Number.isSafeInteger(amount)) throw new Error(`amount ${amount} is not an integer of minor units`);
  const digits = CURRENCY_MINOR_DIGITS[currency] ?? 2;
  const text = String(Math.abs(amount)).padStart(digits + 1, '0');
  const decimal = digits ? `${text.slice(0, -digits)}.${text.slice(-digits)}` : text;
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
  return format.format(`${amount < 0 ? '-' : ''}${decimal}` as Intl.StringNumericLiteral);
}

@Directive(cacheHint({ inheritMaxAge: true }))
@ObjectType({ description: 'An amount of money: an integer in the currency\'s minor unit (cents for USD, yen for JPY).' })
export class Money {
  @Field(() => Int, { description: 'Amount in the minor unit of `currency`.' })
  amount!: number;

  @Field({ description: 'ISO 4217 currency code.' })
  currency!: string;

  static of(amount: number, currency: string): Money {
    const money = new Money();
    money.amount = amount;
    money.currency = currency;
    return money;
  }
}
