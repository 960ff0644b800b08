// Money as a shopper reads it, in the currency the graph priced it in.
export interface Money {
  amount: string;
  currencyCode: string;
}

const formats = new Map<string, Intl.NumberFormat>();

export function formatMoney(money: Money): string {
  let format = formats.get(money.currencyCode);
  if (!format) {
    format = new Intl.NumberFormat('en', { style: 'currency', currency: money.currencyCode });
    formats.set(money.currencyCode, format);
  }
  // Amounts are exact decimal strings; Number is exact enough to display two decimals.
  return format.format(Number(money.amount));
}
