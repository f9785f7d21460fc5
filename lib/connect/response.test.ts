import { describe, expect, it } from 'vitest';
import { answerFor, jsonResponse, pendingBodyText, StringResponse, TAKES_STRING_ANSWERS, textResponse } from './response';

/** String answers: a Response to everyone, a string to a server that knows them. */
describe('jsonResponse and textResponse', () => {
  it('answer as Response.json and new Response would', async () => {
    const mine = jsonResponse({ a: 1, s: 'ü' }, { status: 201, headers: { 'x-one': '1' } });
    const theirs = Response.json({ a: 1, s: 'ü' }, { status: 201, headers: { 'x-one': '1' } });
    expect([mine.status, mine.ok, mine.statusText]).toEqual([theirs.status, theirs.ok, theirs.statusText]);
    expect([...mine.headers]).toEqual([...theirs.headers]);
    expect(Object.prototype.toString.call(mine)).toBe('[object Response]');
    expect(await mine.json()).toEqual(await theirs.json());
    expect(mine.bodyUsed).toBe(true);
    await expect(mine.text()).rejects.toThrow(TypeError);

    const page = textResponse('<p>hi</p>', { headers: { 'Content-Type': 'text/html; charset=utf-8' } });
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(textResponse('x').headers.get('content-type')).toBe('text/plain;charset=UTF-8');
    expect(await textResponse('x').clone().text()).toBe('x');
    expect(textResponse('x', { status: 404 }).ok).toBe(false);
  });

  it('a server reads the string until someone reads the body; header changes before that are kept', async () => {
    const r = jsonResponse({ ok: true });
    r.headers.set('x-added', 'yes');
    expect(pendingBodyText(r)).toBe('{"ok":true}');
    const reader = r.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('{"ok":true}');
    expect(pendingBodyText(r)).toBeUndefined();
    expect(r.headers.get('x-added')).toBe('yes');
    expect(pendingBodyText(Response.json({}))).toBeUndefined();
  });

  it('refuse what Response refuses', () => {
    expect(() => textResponse('x', { status: 99 })).toThrow(RangeError);
    expect(() => textResponse('x', { status: 600 })).toThrow(RangeError);
    expect(() => textResponse('x', { status: 204 })).toThrow(TypeError);
    expect(() => jsonResponse(undefined)).toThrow(TypeError);
    expect(new StringResponse('a', { contentType: 'text/plain' }).materialised).toBe(false);
  });

  it('reach as strings only a server that marks its requests as taking them; anyone else gets a real Response', async () => {
    const plain = new Request('https://app.test/x');
    const marked = Object.defineProperty(new Request('https://app.test/x'), TAKES_STRING_ANSWERS, { value: true });
    const made = answerFor(plain, jsonResponse({ a: 1 }, { status: 202, headers: { 'x-h': '1' } }));
    expect(made).toBeInstanceOf(Response);
    expect([made.status, made.headers.get('x-h'), await made.json()]).toEqual([202, '1', { a: 1 }]);
    expect(pendingBodyText(answerFor(marked, jsonResponse({ a: 1 })))).toBe('{"a":1}');
    const real = Response.json({});
    expect(answerFor(plain, real)).toBe(real);
    expect(answerFor(marked, real)).toBe(real);
  });
});
