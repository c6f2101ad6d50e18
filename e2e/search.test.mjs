// The directory search on the demonstration place (300 community offers on real Halifax
// postcodes): the public search from the landing page, filter, search near a postcode,
// turn pages, see their mistakes and print; a link worker searches connector schemes too;
// and all of it works without JavaScript. axe-core checks each page.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { NAV, PUBLIC_NAV, Session, checkErrorSummary, explain, launchBrowser, startServer } from './harness.mjs'

let server, browser, password
const reports = []

before(async () => {
  server = await startServer({
    prepare: (run) => {
      const out = run(['demo'])
      password = out.match(/Password: (\S+)/)?.[1]
      assert.ok(password, `no password in the output of linkwork demo:\n${out}`)
    },
  })
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

/** Runs axe on the page and keeps any violations for the end of the file's tests. */
async function check (s, label, { status = 200 } = {}) {
  assert.equal(s.status, status, `${label}: expected HTTP ${status}, got ${s.status} at ${s.path()}`)
  const report = await s.axe(label)
  if (report) reports.push(report)
}

/** The names of the results on the page, in order. */
async function results (s) {
  return (await s.page.locator('.lw-result__name a').allTextContents()).map((t) => t.trim())
}

/** The distances of the results, in km, in order. */
async function distances (s) {
  const texts = await s.page.locator('.lw-distance').allTextContents()
  return texts.map((t) => /under 0\.1/.test(t) ? 0 : Number(t.match(/([\d.]+) km/)[1]))
}

test('the public search the directory, near a postcode, and see their mistakes', async () => {
  const s = await Session.open(browser, server, { name: 'search-public' })
  await explain(s, async () => {
    // The landing page leads to the search.
    await s.goto('/')
    await check(s, 'public landing page')
    assert.equal(await s.heading(), 'Find support in Calderdale (demo)')
    assert.deepEqual(await s.nav(), PUBLIC_NAV)
    await s.fill({ q: 'walking' })
    assert.equal(await s.submit('Search the directory'), 200)
    assert.equal(s.path(), '/directory?q=walking')
    await check(s, 'directory search with results (public)')
    const walks = await results(s)
    assert.ok(walks.length > 0, 'walking finds something')
    assert.match(await s.page.locator('.lw-count').textContent(), /^\d+ offers? match(es)?$/)
    assert.equal(await s.page.getByText('Connector scheme run by').count(), 0, 'the public see no connector schemes')
    assert.equal(await s.page.locator('#kind').count(), 0, 'the public are not offered the kind')
    assert.deepEqual(await s.nav(), PUBLIC_NAV)
    assert.equal(await s.page.locator('nav[aria-label="Menu"] [aria-current="page"]').textContent(), 'Find support')

    // Near the first result's postcode: nearest first, each with its distance.
    const where = await s.page.locator('.lw-result').first().locator('dd').nth(1).textContent()
    const postcode = where.match(/[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}/)?.[0]
    assert.ok(postcode, `a postcode in "${where}"`)
    await s.goto('/directory')
    await s.fill({ postcode: postcode.toLowerCase(), radius_km: '2' })
    await s.submit('Search')
    await check(s, 'directory search near a postcode (public)')
    const km = await distances(s)
    assert.ok(km.length > 0, `something within 2 km of ${postcode}`)
    assert.deepEqual(km, [...km].sort((a, b) => a - b), 'nearest first')
    assert.ok(km.every((d) => d <= 2), `all within 2 km: ${km}`)
    assert.equal(await s.page.locator('#sort').inputValue(), 'distance')

    // Pages: the next page keeps the search.
    const first = await results(s)
    const next = s.page.getByRole('link', { name: /Next/ })
    if (await next.count()) {
      await s.clickAndWait(next)
      assert.match(s.path(), /page=2/)
      assert.match(s.path(), /postcode=/)
      assert.notDeepEqual(await results(s), first)
    }

    // Printed, the page is the results: no filters, no navigation.
    await s.page.emulateMedia({ media: 'print' })
    assert.equal(await s.page.locator('.lw-search-filters').isVisible(), false, 'no filters in print')
    assert.equal(await s.page.locator('nav[aria-label="Menu"]').isVisible(), false, 'no navigation in print')
    assert.equal(await s.page.locator('.lw-result').first().isVisible(), true, 'the results are printed')
    await s.page.emulateMedia({ media: 'screen' })

    // Mistakes: an unknown postcode, an age out of range and a word for a number.
    await s.goto(`/directory?postcode=YO1+7HH&age=200`, 422)
    await check(s, 'directory search with errors (public)', { status: 422 })
    await checkErrorSummary(s)
    assert.deepEqual(await s.errorSummary(), ['We do not know the postcode YO1 7HH. Check it, or use a nearby one.', 'Enter an age from 0 to 120.'])
    assert.match(await s.page.title(), /^Error: Find support/)
    await s.fill({ postcode: 'not a postcode', age: 'old' })
    assert.equal(await s.submit('Search'), 422)
    assert.equal((await s.errorSummary()).length, 2)
    await checkErrorSummary(s)

    // A result opens the service's page.
    await s.goto('/directory?q=walking')
    await s.clickAndWait(s.page.locator('.lw-result__name a').first())
    assert.match(s.path(), /^\/directory\/services\/\d+$/)
    assert.equal(await s.heading(), walks[0])
    s.assertClean()
  })
  await s.close()
})

test('a link worker searches community offers and connector schemes', async () => {
  const s = await Session.open(browser, server, { name: 'search-link-worker' })
  await explain(s, async () => {
    assert.equal(await s.signIn('linkworker@example.org', password), 200)
    assert.deepEqual(await s.nav(), NAV.link_worker)
    await s.clickAndWait(s.page.locator('nav[aria-label="Menu"]').getByRole('link', { name: 'Find support' }))
    assert.equal(s.path(), '/directory')
    await check(s, 'directory search (signed in)')
    await s.fill({ kind: 'connector_scheme' })
    await s.submit('Search')
    await check(s, 'directory search for connector schemes (signed in)')
    const schemes = await s.page.locator('.lw-result__by').allTextContents()
    assert.ok(schemes.length > 0 && schemes.every((t) => /^Connector scheme run by/.test(t.trim())), `schemes: ${schemes}`)
    assert.equal(await s.page.getByRole('link', { name: 'Search the directory of link workers' }).count(), 1)
    await s.goto('/directory?kind=connector_scheme&sort=distance&day=8', 422)
    await check(s, 'directory search with errors (signed in)', { status: 422 })
    await checkErrorSummary(s)
    s.assertClean()
  })
  await s.close()
})

test('without JavaScript the public search, filter and correct a mistake', async () => {
  const s = await Session.open(browser, server, { javaScript: false, name: 'search-nojs' })
  await explain(s, async () => {
    await s.goto('/')
    await s.fill({ q: 'walk' })
    assert.equal(await s.submit('Search the directory'), 200)
    assert.equal(s.path(), '/directory?q=walk')
    const all = await results(s)
    assert.ok(all.length > 0, 'walk finds something')

    // The needs are folded away; opening them needs no script.
    const needs = s.page.locator('details', { hasText: 'What the person needs help with' })
    await needs.locator('summary').click()
    await needs.getByLabel('Loneliness and isolation').check()
    await s.page.locator('#free').check()
    assert.equal(await s.submit('Search'), 200)
    assert.match(s.path(), /term_id=\d+/)
    assert.match(s.path(), /free=true/)
    const lonely = await results(s)
    assert.ok(lonely.length > 0 && lonely.length <= all.length, `filtered: ${lonely.length} of ${all.length}`)
    assert.equal(await s.page.locator('details[open]', { hasText: 'What the person needs help with' }).count(), 1,
      'a group with a choice stays open')
    for (const cost of await s.page.locator('.lw-facts div:has(dt:text-is("Cost")) dd').allTextContents()) {
      assert.match(cost, /^Free/)
    }

    // A mistake is shown by the server, next to its field.
    await s.fill({ age: 'ten' })
    assert.equal(await s.submit('Search'), 422)
    assert.deepEqual(await s.errorSummary(), ['Enter the age as a whole number, such as 67.'])
    await checkErrorSummary(s)
    await s.fill({ age: '70' })
    assert.equal(await s.submit('Search'), 200)
    assert.ok((await results(s)).length > 0)
    s.assertClean()
  })
  await s.close()
})

test('every search page passes axe-core', () => {
  assert.equal(reports.length, 0, `axe-core found violations on ${reports.length} page(s):\n\n${reports.join('\n\n')}`)
})
