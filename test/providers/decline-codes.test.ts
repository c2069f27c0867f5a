import { classifyDecline, classifyDeclineCode, describeDeclineCode } from '../../providers/decline-codes';

describe('decline codes', () => {
  it.each(['51', '05', '61', '65', '91', '96', '01', '19'])('ABECS %s is soft', (code) => {
    expect(classifyDeclineCode(code)).toBe('soft');
  });

  it.each(['14', '41', '43', '54', '57', '62', '78', '59', '46', '04', '07', '15'])('ABECS %s is hard', (code) => {
    expect(classifyDeclineCode(code)).toBe('hard');
  });

  it('normalises numeric codes and is case-insensitive for text', () => {
    expect(classifyDeclineCode('5')).toBe('soft');
    expect(classifyDeclineCode(' 54 ')).toBe('hard');
    expect(classifyDeclineCode('INSUFFICIENT_FUNDS')).toBe('soft');
    expect(classifyDeclineCode('n7')).toBe('hard');
  });

  it.each([
    ['insufficient_funds', 'soft'],
    ['card_declined', 'soft'],
    ['expired_card', 'hard'],
    ['lost_card', 'hard'],
    ['stolen_card', 'hard'],
    ['canceled_card', 'hard'],
  ])('textual %s is %s', (code, kind) => {
    expect(classifyDeclineCode(code)).toBe(kind);
  });

  it('returns undefined for unknown codes (callers default to soft)', () => {
    expect(classifyDeclineCode('XYZ')).toBeUndefined();
    expect(classifyDeclineCode('')).toBeUndefined();
    expect(classifyDeclineCode('08')).toBeUndefined();
    expect(describeDeclineCode('XYZ')).toBeUndefined();
  });

  it('describes known codes', () => {
    expect(describeDeclineCode('51')).toMatch(/insufficient funds/i);
    expect(describeDeclineCode('43')).toMatch(/stolen/i);
  });
});

describe('classifyDecline: code, then category, then the message', () => {
  it("Zspay's documented decline (generic category, no code) is soft, and hard when the message names a hard reason", () => {
    const documented = 'Transação não autorizada. Para mais informações, entre em contato com seu banco.';
    expect(classifyDecline({ category: 'card_declined', message: documented })).toBe('soft');
    expect(classifyDecline({ category: 'card_declined', message: 'Cartão cancelado' })).toBe('hard');
    expect(classifyDecline({ category: 'card_declined', message: 'Cartao vencido' })).toBe('hard');
    expect(classifyDecline({ category: 'card_declined', message: 'Stolen card' })).toBe('hard');
    expect(classifyDecline({ category: 'card_declined', message: 'Saldo insuficiente' })).toBe('soft');
    expect(classifyDecline({ category: 'generic_decline', message: 'Lost card' })).toBe('hard');
  });

  it('a known code decides before the category and the words', () => {
    expect(classifyDecline({ code: '51', category: 'card_declined', message: 'Cartão cancelado' })).toBe('soft');
    expect(classifyDecline({ code: '05', message: 'Cartão bloqueado' })).toBe('soft');
    expect(classifyDecline({ code: 54, category: 'insufficient_funds', message: 'Saldo insuficiente' })).toBe('hard');
  });

  it('a specific category decides before the words', () => {
    expect(classifyDecline({ category: 'insufficient_funds', message: 'Cartão cancelado' })).toBe('soft');
    expect(classifyDecline({ category: 'expired_card', message: 'Transação não autorizada' })).toBe('hard');
    expect(classifyDecline({ code: 'XYZ', category: 'stolen_card' })).toBe('hard');
  });

  it('an unknown code or category leaves it to the words; nothing known is soft', () => {
    expect(classifyDecline({ code: 'Cartao', message: 'Cartão cancelado' })).toBe('hard');
    expect(classifyDecline({ code: '08', category: 'whatever', message: 'Número do cartão inválido' })).toBe('hard');
    expect(classifyDecline({ code: 'Pagamento', message: 'Falha desconhecida' })).toBe('soft');
    expect(classifyDecline({ message: 'Do not honor' })).toBe('soft');
    expect(classifyDecline({})).toBe('soft');
    expect(classifyDecline({ code: null, category: null, message: null })).toBe('soft');
  });

  it('the generic categories still read as soft codes on their own', () => {
    expect(classifyDeclineCode('card_declined')).toBe('soft');
    expect(classifyDeclineCode('generic_decline')).toBe('soft');
  });
});
