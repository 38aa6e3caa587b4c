// Figures survive a reload (autosave per programme id and version), travel in a share
// link's hash, and can be cleared and brought back.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBuilt, launch, open, OFFLINE_URL, typeFigure, setBoolean, settled, revision, shownTotals, noticeText } from './helpers.mjs';

before(() => ensureBuilt());

test('reload keeps figures, per programme id and version', async () => {
  const b = await launch();
  try {
    await open(b.page);
    await typeFigure(b.page, 'content_posts', '31');
    await typeFigure(b.page, 'live_hours', '12.5');
    await typeFigure(b.page, 'leads', '4x'); // invalid text is kept too
    await setBoolean(b.page, 'data_agreement_signed', true);
    await typeFigure(b.page, 'dealer_name', '测试门店');
    await settled(b.page, 0);
    await b.page.waitForTimeout(400); // autosave is debounced
    const saved = await b.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('dealer-calc:figures:')));
    assert.deepEqual(saved, ['dealer-calc:figures:sample-digital-2027h1@2027.1']);
    await open(b.page);
    const val = (id) => b.page.locator(`dealer-calculator input[name="${id}"]`).inputValue();
    assert.equal(await val('content_posts'), '31');
    assert.equal(await val('live_hours'), '12.5');
    assert.equal(await val('leads'), '4x');
    assert.equal(await val('dealer_name'), '测试门店');
    assert.equal(await b.page.locator('dealer-calculator input[type=radio][data-metric="data_agreement_signed"][value="true"]').isChecked(), true);
    assert.match(await b.page.locator('dealer-calculator [data-metric="leads"] .field-error').innerText(), /“4x”不是数字/);
    assert.match(await noticeText(b.page), /已恢复您上次在本机填写的数据/);
  } finally {
    await b.close();
  }
});

test('share link round trip: the figures travel in the URL hash', async () => {
  const a = await launch();
  let link;
  let totals;
  try {
    await open(a.page);
    await a.page.locator('dealer-calculator button[data-action=example]').click();
    await typeFigure(a.page, 'content_posts', '30');
    await typeFigure(a.page, 'dealer_name', '分享 & 测试 #1');
    await settled(a.page, 0);
    totals = await shownTotals(a.page);
    await a.page.locator('dealer-calculator button[data-action=share]').click();
    const input = a.page.locator('dealer-calculator input.share-link');
    await input.waitFor();
    link = await input.inputValue();
  } finally {
    await a.close();
  }
  assert.ok(link.startsWith(`${OFFLINE_URL}#`), link);
  assert.match(link, /_p=sample-digital-2027h1/);
  assert.match(link, /content_posts=30/);
  const b = await launch();
  try {
    await b.page.goto(link);
    await settled(b.page);
    assert.deepEqual(await shownTotals(b.page), totals);
    assert.equal(await b.page.locator('dealer-calculator input[name="dealer_name"]').inputValue(), '分享 & 测试 #1');
    assert.match(await noticeText(b.page), /已从分享链接载入数据/);
    // The hash is dropped once the figures are saved on this device.
    assert.equal(await b.page.evaluate(() => location.hash), '');
  } finally {
    await b.close();
  }
});

test('a share link for another programme is refused politely', async () => {
  const b = await launch();
  try {
    await b.page.goto(`${OFFLINE_URL}#_p=other-programme&_v=1&content_posts=99`);
    await settled(b.page);
    assert.equal(await b.page.locator('dealer-calculator input[name="content_posts"]').inputValue(), '');
    assert.match(await noticeText(b.page), /分享链接属于另一个方案（other-programme 1）/);
  } finally {
    await b.close();
  }
});

test('clear figures, then undo', async () => {
  const b = await launch();
  try {
    await open(b.page);
    await b.page.locator('dealer-calculator button[data-action=example]').click();
    await settled(b.page, 0);
    const full = await shownTotals(b.page);
    let rev = await revision(b.page);
    await b.page.locator('dealer-calculator button[data-action=reset]').click();
    await settled(b.page, rev);
    assert.equal(await b.page.locator('dealer-calculator input[name="content_posts"]').inputValue(), '');
    assert.equal((await shownTotals(b.page)).totals.CNY, 0);
    rev = await revision(b.page);
    await b.page.locator('dealer-calculator .notice button', { hasText: '撤销' }).first().click();
    await settled(b.page, rev);
    assert.deepEqual(await shownTotals(b.page), full);
  } finally {
    await b.close();
  }
});
