import { hardDeclineReasonIn, normaliseDeclineText } from '../../providers/decline-phrases';

describe('hard-decline phrases in provider messages', () => {
  it('normalises accents, case and punctuation', () => {
    expect(normaliseDeclineText('  CARTÃO-Bloqueado!  Nº 1234 ')).toBe('cartao bloqueado no 1234');
    expect(normaliseDeclineText('Número do cartão inválido.')).toBe('numero do cartao invalido');
  });

  it.each([
    // Portuguese, with and without accents, as acquirers and Zspay write them
    ['Cartão cancelado', 'Canceled card'],
    ['Cartao cancelado', 'Canceled card'],
    ['CARTÃO CANCELADO', 'Canceled card'],
    ['Transação não autorizada. Cartão cancelado pelo emissor.', 'Canceled card'],
    ['Cartão de crédito cancelado', 'Canceled card'],
    ['Transação não autorizada. Cartão bloqueado por perda.', 'Lost card'],
    ['Cartão perdido', 'Lost card'],
    ['Cartão roubado', 'Stolen card'],
    ['Cartão furtado', 'Stolen card'],
    ['Transação negada: bloqueio por roubo', 'Stolen card'],
    ['Cartão vencido', 'Expired card'],
    ['Cartao expirado', 'Expired card'],
    ['Cartão com validade vencida', 'Expired card'],
    ['Cartão bloqueado', 'Blocked card'],
    ['Número do cartão inválido', 'Invalid card number'],
    ['Numero de cartao invalido', 'Invalid card number'],
    ['Transação não autorizada. Cartão inválido.', 'Invalid card number'],
    ['Conta encerrada', 'Closed account'],
    ['Transação não permitida para o cartão', 'Transaction not permitted'],
    ['Suspeita de fraude', 'Suspected fraud'],
    // English
    ['Card canceled', 'Canceled card'],
    ['Your card has been cancelled.', 'Canceled card'],
    ['Lost card', 'Lost card'],
    ['Stolen card - pick up', 'Stolen card'],
    ['Expired card', 'Expired card'],
    ['The card has expired', 'Expired card'],
    ['Card blocked by issuer', 'Blocked card'],
    ['Invalid card number', 'Invalid card number'],
  ])('%j states a hard decline (%s)', (message, reason) => {
    expect(hardDeclineReasonIn(message)).toBe(reason);
  });

  it.each([
    'Transação não autorizada. Para mais informações, entre em contato com seu banco.',
    'Saldo insuficiente',
    'Transação não autorizada. Saldo insuficiente no cartão.',
    'Limite excedido',
    'Excede o limite do cartão',
    'Não autorizada',
    'Transação negada',
    'Tente novamente mais tarde',
    'Emissor indisponível',
    'Senha vencida',
    'Do not honor',
    'Card declined',
    'Your card was declined.',
    'Insufficient funds',
    'Issuer unavailable, try again later',
    'Transação cancelada', // the transaction, not the card
    'Pedido cancelado',
    'Cartão',
    '',
  ])('%j states no hard decline', (message) => {
    expect(hardDeclineReasonIn(message)).toBeUndefined();
  });

  it('matches whole words only', () => {
    expect(hardDeclineReasonIn('Cartão canceladox')).toBeUndefined();
    expect(hardDeclineReasonIn('Verificação antifraude indisponível')).toBeUndefined();
    expect(hardDeclineReasonIn(undefined)).toBeUndefined();
    expect(hardDeclineReasonIn(null)).toBeUndefined();
  });
});
