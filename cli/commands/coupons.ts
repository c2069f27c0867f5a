/** `billing coupons ...`: the coupon catalog through the typed client (the same checks as /v1/coupons). */
import type { Command } from 'commander';
import type { CouponsApi } from '../../client/coupons';
import type { CatalogCouponInput, CouponCatalogView } from '../../common/coupon';
import { renderDetails } from '../format';
import { positiveInteger, type CliContext } from './context';

function formatCoupon(view: CouponCatalogView): string {
  return renderDetails([
    ['Coupon', view.code],
    ['Terms', view.terms],
    ['Expires', view.coupon.expiresAt ? `${view.coupon.expiresAt}${view.expired ? ' (expired)' : ''}` : undefined],
    ['Redeemed', view.redemptions],
    ['Limit', view.coupon.maxRedemptions ?? 'none'],
    ['Remaining', view.remaining],
    ['Released', view.released || undefined],
  ]);
}

export function registerCouponCommands(program: Command, context: CliContext): void {
  const api = async (): Promise<CouponsApi> => (await context.client()).coupons;
  const coupons = program.command('coupons').description('The coupon catalog: coupons with a global redemption limit');

  coupons
    .command('create')
    .description('Define a coupon from its JSON input (the body of POST /v1/coupons); never changed once defined')
    .requiredOption('-f, --file <path>', 'JSON file with the coupon, or - for stdin')
    .action(async (options: { file: string }) => {
      const input = (await context.readJson(options.file)) as CatalogCouponInput;
      context.print(await (await api()).create(input), (c) =>
        c.created ? `Defined coupon ${c.code} (${c.workflowId})` : `Already defined with these terms: ${c.code}`,
      );
    });

  coupons
    .command('get')
    .alias('show')
    .description('Show a coupon: its terms and redemption counter')
    .argument('<code>', 'coupon code')
    .action(async (code: string) => {
      context.print(await (await api()).get(code), formatCoupon);
    });

  coupons
    .command('list')
    .description('List the catalog (visibility is eventually consistent)')
    .option('--limit <n>', 'at most n coupons', positiveInteger, 100)
    .action(async (options: { limit: number }) => {
      context.print(await (await api()).list({ limit: options.limit }), (items) =>
        items.map((item) => `${item.code}  ${item.summary ?? ''}`.trimEnd()).join('\n'),
      );
    });

  coupons
    .command('release')
    .description("Give a subscription's redemption back (it no longer counts toward the limit)")
    .argument('<code>', 'coupon code')
    .requiredOption('--subscription <id>', 'the subscription that redeemed it')
    .action(async (code: string, options: { subscription: string }) => {
      context.print(await (await api()).release(code, options.subscription), formatCoupon);
    });
}
