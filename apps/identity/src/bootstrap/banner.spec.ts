import { appUrlWarning } from './banner';

describe('appUrlWarning', () => {
  it('is silent when APP_URL is the listen address', () => {
    expect(appUrlWarning('http://127.0.0.1:3000', 'http://127.0.0.1:3000')).toEqual([]);
    expect(appUrlWarning('http://127.0.0.1:3000/', 'http://127.0.0.1:3000')).toEqual([]);
  });

  it('is silent for a wildcard bind reached on its port', () => {
    expect(appUrlWarning('http://localhost:3000', 'http://0.0.0.0:3000')).toEqual([]);
    expect(appUrlWarning('http://localhost:3000', 'http://[::]:3000')).toEqual([]);
  });

  it("is silent for a loopback bind named by another of this machine's names", () => {
    expect(appUrlWarning('http://localhost:3000', 'http://127.0.0.1:3000')).toEqual([]);
    expect(appUrlWarning('http://127.0.0.1:3000', 'http://[::1]:3000')).toEqual([]);
  });

  it('warns, naming both origins, when they differ', () => {
    const lines = appUrlWarning('http://localhost:3000', 'http://127.0.0.1:3001');
    expect(lines.join('\n')).toContain('APP_URL is http://localhost:3000');
    expect(lines.join('\n')).toContain('listens on http://127.0.0.1:3001');
    expect(appUrlWarning('https://localhost:3000', 'http://127.0.0.1:3000')).not.toEqual([]);
    expect(appUrlWarning('http://id.example.com:3000', 'http://127.0.0.1:3000')).not.toEqual([]);
    expect(appUrlWarning('https://id.example.com', 'http://0.0.0.0:3000')).not.toEqual([]);
    expect(appUrlWarning('http://localhost:3001', 'http://0.0.0.0:3000')).not.toEqual([]);
  });
});
