import { classifyDeclineCode, describeDeclineCode } from '../../providers/decline-codes';

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
