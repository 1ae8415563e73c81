import { ProblemException } from '../problem/problem';
import { IdParam } from './id-param.pipe';

describe('IdParam', () => {
  const pipe = IdParam('session');

  it('hands a UUID on, lower-cased', () => {
    expect(pipe.transform('2F0C6B1E-4A8D-4C1E-9F3A-0B7D5E6C8A91')).toBe(
      '2f0c6b1e-4a8d-4c1e-9f3a-0b7d5e6c8a91',
    );
  });

  it.each(['not-a-uuid', "' OR 1=1 --", '', '2f0c6b1e4a8d4c1e9f3a0b7d5e6c8a91'])(
    'answers %j like an unknown resource: 404 not_found',
    (value) => {
      let thrown: unknown;
      try {
        pipe.transform(value);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(ProblemException);
      expect(thrown).toMatchObject({ status: 404, code: 'not_found' });
    },
  );
});
