import { definePlugin, pluginManifest, verdict, type MmsMessage } from '@openmmsc/core';
import { Counter } from 'prom-client';
import { helloOptions } from './options.js';
import { plainText } from './text.js';

export { helloOptions, type HelloOptions } from './options.js';

const TARGET = 'hello';

/**
 * A short code that answers: messages to it are routed to this plugin's deliverer, which sends
 * the sender a reply through the MMSC itself. Also refuses messages with banned words.
 */
export default definePlugin({
  ...pluginManifest(import.meta.url),
  description: 'Example plugin: an answering short code and a word filter',
  configSchema: helloOptions,
  // What setup provides, so `openmmsc check` can tell whether a config around it can work.
  facts: () => ({ delivers: [TARGET], resolver: { targets: [TARGET], answers: ['shortcode'] } }),
  setup(ctx) {
    const { shortCode, greeting, bannedWords } = ctx.options;
    const answered = new Counter({
      name: 'openmmsc_hello_answers_total',
      help: 'Replies sent by the hello short code',
      registers: [ctx.metrics],
    });

    // route stage: MM5-style resolver that claims our short code.
    ctx.provide('RoutingResolver', {
      name: ctx.name,
      resolve: async (address) =>
        address.type === 'shortcode' && address.value === shortCode ? { kind: 'route', route: { target: TARGET } } : undefined,
    });

    // deliver stage: "deliver" to the short code by answering the sender.
    ctx.provide('Deliverer', {
      target: TARGET,
      async deliver({ message, parts }) {
        const said = plainText(parts).slice(0, 200);
        const reply: MmsMessage = {
          headers: {
            from: ctx.mmsc.parseAddress(shortCode),
            to: [message.headers.from],
            cc: [],
            bcc: [],
            subject: { text: `Re: ${message.headers.subject?.text ?? 'your message'}`, charset: 'utf-8' },
            contentType: { type: 'application/vnd.wap.multipart.mixed', params: {} },
          },
          parts: [{ contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, data: Buffer.from(`${greeting} You said: ${said}`) }],
        };
        const result = await ctx.mmsc.submit({ message: reply, origin: { interface: 'hello', peer: shortCode } });
        if (result.status === 'deferred') return { status: 'retry', reason: result.reason.message };
        if (result.status === 'rejected') return { status: 'rejected', reason: result.reason };
        answered.inc();
        await ctx.kv.set(`last-answer:${message.headers.from.value}`, result.messageId);
        return { status: 'delivered', reference: result.messageId };
      },
    });

    return {
      // receive stage: refuse banned words before anything is stored.
      receive(msg) {
        if (bannedWords.length === 0) return;
        const text = plainText(msg.message.parts).toLowerCase();
        const hit = bannedWords.find((w) => text.includes(w.toLowerCase()));
        if (hit) {
          msg.log.info({ word: hit }, 'message refused by word filter');
          return verdict.reject('content-not-accepted', 'message contains a word this service does not carry');
        }
        return verdict.continue();
      },
    };
  },
});
