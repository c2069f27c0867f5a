/**
 * Where our reference travels in Zspay requests. Zspay has no metadata/reference field and no
 * search; the only free text the engine's calls carry is `descricao` (boleto sale: "Descrição da
 * transação"; transfer: "Descrever para que conste em seu extrato"), and the scheduled-transfer
 * list returns it. We append the reference in brackets so people and the sandbox can find it.
 */
const REFERENCE_SUFFIX = /\s*\[ref:([^\]]+)\]$/;

export function withReference(description: string, reference: string): string {
  return `${description.replace(REFERENCE_SUFFIX, '')} [ref:${reference}]`;
}

export function referenceOf(description: string | null | undefined): string | undefined {
  return description ? REFERENCE_SUFFIX.exec(description)?.[1] : undefined;
}
