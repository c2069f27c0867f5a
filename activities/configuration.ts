/**
 * What only the worker knows: which merchant signing secrets and ZapSign client tokens it holds.
 * A subscription naming a reference the worker cannot resolve is refused when it is created
 * (naming the field), instead of failing every notification or partner call for years.
 */
import type { ClientTokenResolver } from './partners/zapsign';
import type { SecretResolver } from './merchants/notifications';

export interface ReferenceProblem {
  field: string;
  message: string;
}

export interface ConfigurationActivityDeps {
  resolveMerchantSecret: SecretResolver;
  resolveZapSignClientToken: ClientTokenResolver;
}

export function createConfigurationActivities({
  resolveMerchantSecret,
  resolveZapSignClientToken,
}: ConfigurationActivityDeps) {
  const problem = async (field: string, resolve: () => Promise<unknown>): Promise<ReferenceProblem[]> => {
    try {
      await resolve();
      return [];
    } catch (error) {
      return [{ field, message: (error as Error).message }];
    }
  };
  return {
    async checkSubscriptionReferences(input: {
      merchantSecretRef?: string;
      zapsignClientRef?: string;
    }): Promise<ReferenceProblem[]> {
      return [
        ...(input.merchantSecretRef === undefined
          ? []
          : await problem('merchant.secretRef', () => resolveMerchantSecret(input.merchantSecretRef!))),
        ...(input.zapsignClientRef === undefined
          ? []
          : await problem('partner.zapsignClientRef', () => resolveZapSignClientToken(input.zapsignClientRef!))),
      ];
    },
  };
}
