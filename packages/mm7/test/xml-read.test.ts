import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseXmlSafely, XmlSecurityError, XmlSyntaxError } from '../src/index.js';

describe('parseXmlSafely: one strict pass builds the tree the decoder reads', () => {
  it('drops prefixes and namespace declarations, resolves entities, character references and CDATA, trims text', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n<!-- a VASP comment -->\n' +
      '<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:x">' +
      '<env:Header><T env:mustUnderstand="1"> tx&amp;1 </T></env:Header>' +
      '<env:Body><?pi ignored?><Req><Subject>caf&#233; &#x1F600; &lt;&gt;&quot;&apos;</Subject>' +
      '<Note><![CDATA[<b>raw</b> & more]]></Note><Empty/><Blank>   </Blank>' +
      '<Recipients><To><Number>1</Number></To><Cc><Number>2</Number><Number>3</Number></Cc></Recipients>' +
      '<Other>a</Other><Other>b</Other><Content href="cid:x" allowAdaptations="true"/></Req></env:Body></env:Envelope>';
    assert.deepEqual(parseXmlSafely(xml), {
      Envelope: {
        Header: { T: { '@mustUnderstand': '1', '#text': 'tx&1' } },
        Body: {
          Req: {
            Subject: 'café 😀 <>"\'',
            Note: '<b>raw</b> & more',
            Empty: '',
            Blank: '',
            // Elements MM7 may repeat are arrays even when there is one of them.
            Recipients: { To: [{ Number: ['1'] }], Cc: [{ Number: ['2', '3'] }] },
            Other: ['a', 'b'],
            Content: { '@href': 'cid:x', '@allowAdaptations': 'true' },
          },
        },
      },
    });
  });

  it('refuses DTDs, nesting and element counts over the limits, and anything not well-formed', () => {
    const limits = { maxBytes: 10_000, maxDepth: 4, maxElements: 5 };
    assert.throws(() => parseXmlSafely('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'), XmlSecurityError);
    assert.throws(() => parseXmlSafely('<a><b><c><d><e/></d></c></b></a>', limits), (e: unknown) => e instanceof XmlSecurityError && /deeper than 4/.test(e.message));
    assert.throws(() => parseXmlSafely('<a><b/><b/><b/><b/><b/></a>', limits), (e: unknown) => e instanceof XmlSecurityError && /more than 5 elements/.test(e.message));
    assert.throws(() => parseXmlSafely(`<a>${'x'.repeat(10_001)}</a>`, limits), XmlSecurityError);
    for (const bad of ['', 'hello', '<a>', '<a></b>', '<a/><b/>', '<a/>tail', '<a x=1/>', '<a x="1" x="2"/>', '<a>&bogus;</a>', '<a>1 < 2</a>', '<a><![CDATA[x</a>', '<a><!-- x</a>']) {
      assert.throws(() => parseXmlSafely(bad), XmlSyntaxError, JSON.stringify(bad));
    }
  });
});
