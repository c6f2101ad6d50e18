// The landscape report in a real browser: with Halifax's postcodes and deprivation loaded, a
// commissioner opens the landscape of the place, finds two connector schemes of different
// organisations that could collaborate, sees the gaps with the most deprived neighbourhoods
// first, changes the distance to a community offer (and is told when it cannot be used),
// drills down into a cell of the coverage table, turns a gap into a funding opportunity,
// downloads the tables and prints the report; a link worker cannot see it; and the report
// and its choices work without JavaScript. axe-core checks each page.

import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { NAV, ROOT, Session, checkErrorSummary, explain, launchBrowser, seed, startServer } from './harness.mjs'

const PLACE = 'Calderdale'
const PCN = 'Calder PCN'
const CONNECTORS = 'Halifax Community Connectors'
const WALKERS = 'Todmorden Walkers'
const COUNCIL = 'Calderdale Council'
const COMMISSIONER = { role: 'commissioner', email: 'cas.commissioner@example.org', name: 'Cas Commissioner', org: COUNCIL }
const MANAGER_A = { role: 'manager', email: 'mo.manager@example.org', name: 'Mo Manager', org: PCN }
const MANAGER_B = { role: 'manager', email: 'max.manager@example.org', name: 'Max Manager', org: CONNECTORS }
const MEMBER = { role: 'community', email: 'cam.walker@example.org', name: 'Cam Walker', org: WALKERS }
const WORKER = { role: 'link_worker', email: 'lee.worker@example.org', name: 'Lee Worker', org: PCN }

// Two connector schemes of different organisations, both for postcode district HX1 and both
// helping with loneliness; and a walking group that meets in HX1, in one of the most deprived
// neighbourhoods of England (Calderdale 012A, IMD decile 1).
const SCHEME_A = { name: 'Calder Social Prescribing', email: 'social.prescribing@example.org', phone: '01422 000001' }
const SCHEME_B = { name: 'Halifax Connectors', email: 'connect@example.org', phone: '01422 000002' }
const OFFER = 'Todmorden Walking Group'
const VENUE_POSTCODE = 'HX1 5NU'
const NOTE = 'Ask the ward councillors about a community group here.'

// What the page says about a distance it cannot use.
const DISTANCE_ERROR = "Enter the distance from a neighbourhood's centre in kilometres: more than 0 and at most 50, such as 3.2 (two miles)."

let server, browser, loneliness
const reports = []

/** Calls the JSON API with a token. */
async function api (token, method, path, body) {
  const res = await fetch(server.url + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await res.text()
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`)
  return JSON.parse(text)
}

before(async () => {
  const tokens = {}
  server = await startServer({
    prepare: (run) => {
      // The place's neighbourhoods come from the postcodes of its venues: load the HX
      // postcode area and England's deprivation, as shipped with linkwork.
      run(['import', 'postcodes', join(ROOT, 'data', 'NSPL_NOV_2021_UK_HX.csv.gz')])
      run(['import', 'imd', join(ROOT, 'data', 'IMD2019_File1.csv.gz')])
      seed(run, {
        place: PLACE,
        organisations: [{ name: PCN, sector: 'nhs' }, { name: CONNECTORS, sector: 'vcse' }, { name: WALKERS, sector: 'vcse' },
          { name: COUNCIL, sector: 'council' }],
        users: [COMMISSIONER, MANAGER_A, MANAGER_B, MEMBER, WORKER],
      })
      for (const u of [MANAGER_A, MANAGER_B, MEMBER]) {
        tokens[u.email] = run(['token', 'create', '--email', u.email, '--name', 'e2e']).trim()
      }
    },
  })
  const taxonomies = await api(tokens[MEMBER.email], 'GET', '/api/v1/taxonomies')
  const needs = (taxonomies.items ?? taxonomies).find((t) => t.code === 'need')
  loneliness = needs.terms.find((t) => t.code === 'loneliness')
  const other = needs.terms.find((t) => t.code !== 'loneliness')
  assert.ok(loneliness && other, `the need taxonomy has loneliness and another need: ${JSON.stringify(needs.terms)}`)

  /** Adds a service to the directory as a user, in their own organisation. */
  async function add (user, body) {
    const token = tokens[user.email]
    const me = await api(token, 'GET', '/api/v1/me')
    return api(token, 'POST', '/api/v1/services', {
      organisation_id: me.memberships[0].organisation_id,
      description: 'Something for people in Calderdale.',
      status: 'active',
      free: true,
      ...body,
    })
  }
  // Scheme A helps with two needs, B with one in common: they could collaborate on loneliness.
  await add(MANAGER_A, {
    kind: 'connector_scheme',
    name: SCHEME_A.name,
    email: SCHEME_A.email,
    phone: SCHEME_A.phone,
    areas: ['HX1'],
    term_ids: [loneliness.id, other.id],
    scheme: { model: 'pcn_link_worker', who_can_refer: ['gp_practice'], electronic_system: 'EMIS Web', funding_source: 'NHS England (ARRS)' },
  })
  await add(MANAGER_B, {
    kind: 'connector_scheme',
    name: SCHEME_B.name,
    email: SCHEME_B.email,
    phone: SCHEME_B.phone,
    areas: ['HX1'],
    term_ids: [loneliness.id],
    scheme: { model: 'community_navigator', who_can_refer: ['self', 'vcse'], electronic_system: 'Elemental' },
  })
  await add(MEMBER, {
    kind: 'activity',
    name: OFFER,
    email: 'walks@example.org',
    term_ids: [loneliness.id],
    locations: [{ name: "People's Park", address_1: 'King Cross Road', town: 'Halifax', postcode: VENUE_POSTCODE }],
  })
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

/** Runs axe on the page and keeps any violations for the end of the file. */
async function check (s, label, status = 200) {
  assert.equal(s.status, status, `${label}: expected HTTP ${status}, got ${s.status} at ${s.path()}`)
  const report = await s.axe(label)
  if (report) reports.push(report)
}

/** The text of an element as it reads, with its white space made single spaces. */
async function text (locator) {
  return (await locator.innerText()).replace(/\s+/g, ' ').trim()
}

/** The IMD deciles of the gaps table's rows, in order (0 for "Not known"). */
async function gapDeciles (s) {
  const cells = await s.page.locator('table.lw-gaps tbody tr td:nth-of-type(1)').allInnerTexts()
  return cells.map((t) => (t.trim() === 'Not known' ? 0 : Number(t.trim())))
}

/** Checks the gaps run from the most deprived neighbourhoods, with unknown deciles last. */
function assertDeprivedFirst (deciles) {
  assert.ok(deciles.length > 0, 'there are gaps')
  assert.ok(deciles[0] === 1 || deciles[0] === 2, `the first gap is in a neighbourhood of IMD decile 1 or 2, not ${deciles[0]}`)
  const rank = (d) => (d === 0 ? 11 : d)
  for (let i = 1; i < deciles.length; i++) {
    assert.ok(rank(deciles[i - 1]) <= rank(deciles[i]), `gaps are in order of deprivation: ${deciles.join(', ')}`)
  }
}

test('a commissioner reads the landscape, drills down, notes a funding opportunity, downloads and prints', async () => {
  const s = await Session.open(browser, server, { name: 'commissioner' })
  await explain(s, async () => {
    assert.equal(await s.signIn(COMMISSIONER.email), 200)
    assert.deepEqual(await s.nav(), NAV.commissioner)
    await s.clickAndWait(s.page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Landscape', exact: true }))
    assert.equal(s.path(), '/landscape')
    assert.equal(await s.heading(), `Landscape of ${PLACE}`)
    await check(s, 'landscape')
    assert.match(await text(s.page.locator('main')), /within 3\.2 km of the neighbourhood's centre/, 'the default distance is two miles')

    // These could collaborate: the two schemes, who employs each and how to reach them.
    const pair = s.page.locator('.lw-pair', { has: s.page.getByRole('heading', { name: `${SCHEME_A.name} and ${SCHEME_B.name}` }) })
    assert.equal(await pair.count(), 1, 'the two schemes are a pair that could collaborate')
    assert.equal(await s.page.locator('#overlaps ~ .lw-pair').count(), 1, 'one pair only')
    const pairText = await text(pair)
    for (const want of [`${SCHEME_A.name}, run by ${PCN}`, `${SCHEME_B.name}, run by ${CONNECTORS}`, SCHEME_A.email, SCHEME_B.email,
      `Needs both help with ${loneliness.name}`, 'Overlap score 0.50 out of 1']) {
      assert.ok(pairText.includes(want), `the pair says "${want}": ${pairText}`)
    }
    assert.equal(await pair.locator(`a[href="mailto:${SCHEME_B.email}"]`).count(), 1, 'the second scheme can be emailed')
    const both = pairText.match(/Neighbourhoods both cover (\d+) \(100% of the smaller scheme's\): ([^,]+?)(?:,| Needs)/)
    assert.ok(both, `the pair names the neighbourhoods both cover: ${pairText}`)
    const shared = both[2].trim()

    // Gaps: the most deprived neighbourhoods first, each with a funding form.
    assertDeprivedFirst(await gapDeciles(s))
    assert.ok(await s.page.locator('table.lw-gaps form[action="/landscape/funding"]').count() > 0, 'a commissioner can fund a gap')

    // A distance of 1.5 km with the GET form, then one that cannot be used.
    await s.fill({ distance_km: '1.5' })
    assert.equal(await s.submit('Show the landscape'), 200)
    assert.equal(new URL(s.page.url()).searchParams.get('distance_km'), '1.5')
    await check(s, 'landscape at 1.5 km')
    assert.match(await text(s.page.locator('main')), /within 1\.5 km of the neighbourhood's centre/)
    assert.equal(await s.page.locator('#distance_km').inputValue(), '1.5', 'the form keeps the distance')
    assert.match(await s.page.locator('main a[href^="/landscape/export.xlsx"]').getAttribute('href'), /distance_km=1\.5/,
      'the downloads are of the report shown')

    await s.fill({ distance_km: 'far' })
    assert.equal(await s.submit('Show the landscape'), 422)
    await checkErrorSummary(s)
    await check(s, 'landscape with a bad distance', 422)
    assert.deepEqual(await s.errorSummary(), [DISTANCE_ERROR])
    assert.equal(await s.page.locator('#distance_km').inputValue(), 'far', 'what was typed stays')
    assert.equal(await s.page.locator('#overlaps').count(), 0, 'no report for a distance that cannot be used')

    // Drill down: the loneliness cell of a neighbourhood both schemes cover.
    await s.goto('/landscape')
    const headers = (await s.page.locator('table.lw-matrix thead th').allInnerTexts()).map((t) => t.trim())
    const column = headers.findIndex((h) => h.startsWith(loneliness.name))
    assert.ok(column > 2, `the coverage table has a column for ${loneliness.name}: ${headers}`)
    const row = s.page.locator('table.lw-matrix tbody tr', { has: s.page.getByRole('link', { name: shared, exact: true }) })
    assert.equal(await row.count(), 1, `the coverage table has a row for ${shared}`)
    const cell = row.locator('th, td').nth(column)
    assert.match(await text(cell), /^2 · \d+$/, 'two schemes cover it for loneliness')
    await s.clickAndWait(cell.locator('a'))
    assert.match(s.path(), /^\/landscape\/cell\?lsoa=E\d+&term=need%2Floneliness$/)
    assert.equal(await s.heading(), `Need: ${loneliness.name}`)
    await check(s, 'drill-down cell')
    const schemes = s.page.locator('table', { has: s.page.locator('caption', { hasText: 'Connector schemes covering it' }) })
    const schemeRows = (await schemes.locator('tbody tr').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim())
    assert.equal(schemeRows.length, 2, `two schemes: ${schemeRows}`)
    assert.match(schemeRows[0], new RegExp(`^${SCHEME_A.name} ${PCN} ${SCHEME_A.email}`))
    assert.match(schemeRows[1], new RegExp(`^${SCHEME_B.name} ${CONNECTORS} ${SCHEME_B.email}`))
    await s.clickAndWait(s.page.getByRole('link', { name: 'Back to the landscape' }))
    assert.equal(s.path(), '/landscape')

    // A gap in the most deprived neighbourhood becomes a funding opportunity.
    const gap = s.page.locator('table.lw-gaps tbody tr').first()
    const gapNeighbourhood = (await gap.locator('th a').innerText()).trim()
    const gapNeed = (await gap.locator('td').nth(1).innerText()).trim()
    await gap.locator('input[name="note"]').fill(NOTE)
    assert.equal(await s.clickAndWait(gap.getByRole('button', { name: /^Turn into a funding opportunity/ })), 200)
    assert.equal(s.path(), '/landscape')
    assert.equal(new URL(s.page.url()).hash, '#funding')
    assert.equal(await s.flash(), 'The gap has been noted as a funding opportunity for the devolved budgets.')
    await check(s, 'landscape with a funding opportunity')
    const opportunities = s.page.locator('table', { has: s.page.locator('caption', { hasText: /^Funding opportunities$/ }) })
    const opps = (await opportunities.locator('tbody tr').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim())
    assert.equal(opps.length, 1, `one funding opportunity: ${opps}`)
    for (const want of [gapNeighbourhood, gapNeed, NOTE, 'Open']) assert.ok(opps[0].includes(want), `the opportunity shows "${want}": ${opps[0]}`)
    assert.equal(await text(s.page.locator('table.lw-gaps tbody tr').first().locator('td').last()), 'Funding opportunity noted',
      'the gap says it is noted')

    // Downloads: one table as CSV, and every table as a workbook.
    const [download] = await Promise.all([s.page.waitForEvent('download'),
      s.page.getByRole('link', { name: 'Gaps (CSV)', exact: true }).click()])
    assert.equal(download.suggestedFilename(), 'calderdale-landscape-gaps.csv')
    const csv = await streamText(await download.createReadStream())
    const lines = csv.replace(/^\ufeff/, '').split('\r\n')
    assert.equal(lines[0], 'Neighbourhood code,Neighbourhood,IMD decile,Need,Why it is a gap,Referrals in the last 12 months,Open group requests,Full connector schemes')
    assert.ok(lines.length > 2, 'the CSV has the gaps')
    assert.match(lines[1], /^E\d{8},/)

    const xlsxHref = await s.page.getByRole('link', { name: 'Every table as one Excel workbook (.xlsx)' }).getAttribute('href')
    const res = await s.context.request.get(xlsxHref)
    assert.equal(res.status(), 200)
    assert.equal(res.headers()['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    assert.match(res.headers()['content-disposition'], /attachment; filename="calderdale-landscape\.xlsx"/)
    const xlsx = await res.body()
    assert.ok(xlsx.length > 1000, `the workbook is not empty: ${xlsx.length} bytes`)
    assert.equal(xlsx.subarray(0, 2).toString(), 'PK', 'the workbook is a zip file')
    await res.dispose()

    // On paper: the report, without the navigation, the choices or the forms.
    await s.page.emulateMedia({ media: 'print' })
    assert.equal(await s.page.locator('nav[aria-label="Menu"]').isVisible(), false, 'no navigation in print')
    assert.equal(await s.page.locator('form.lw-landscape-choices').isVisible(), false, 'no choices in print')
    assert.equal(await s.page.locator('form.lw-fund').first().isVisible(), false, 'no funding forms in print')
    assert.equal(await s.page.locator('#downloads').isVisible(), false, 'no downloads in print')
    assert.equal(await s.page.locator('main h1').isVisible(), true, 'the report itself prints')
    assert.equal(await s.page.locator('table.lw-gaps').isVisible(), true, 'the gaps print')
    assert.equal(await s.page.locator('.lw-pair').first().isVisible(), true, 'the overlaps print')
    await s.page.emulateMedia({ media: 'screen' })
    s.assertClean()
  })
  await s.close()
})

/** Reads a stream to the end as UTF-8 text. */
async function streamText (stream) {
  const chunks = []
  for await (const c of stream) chunks.push(c)
  return Buffer.concat(chunks).toString('utf8')
}

test('a link worker cannot see the landscape; a manager can', async () => {
  const worker = await Session.open(browser, server, { name: 'worker' })
  await explain(worker, async () => {
    assert.equal(await worker.signIn(WORKER.email), 200)
    assert.deepEqual(await worker.nav(), NAV.link_worker)
    await worker.assertForbidden('/landscape')
    await check(worker, 'landscape forbidden', 403)
    await worker.assertForbiddenQuick('/landscape/export/gaps.csv')
    worker.assertClean()
  })
  await worker.close()

  const manager = await Session.open(browser, server, { name: 'manager' })
  await explain(manager, async () => {
    assert.equal(await manager.signIn(MANAGER_B.email), 200)
    assert.deepEqual(await manager.nav(), NAV.manager)
    await manager.goto('/landscape')
    assert.equal(await manager.heading(), `Landscape of ${PLACE}`)
    assert.equal(await manager.page.locator('table.lw-gaps form').count(), 0, 'a manager sees the gaps but cannot fund them')
    manager.assertClean()
  })
  await manager.close()
})

test('without JavaScript the report renders and its choices work', async () => {
  const s = await Session.open(browser, server, { javaScript: false, name: 'commissioner-nojs' })
  await explain(s, async () => {
    assert.equal(await s.signIn(COMMISSIONER.email), 200)
    await s.goto('/landscape')
    assert.equal(await s.heading(), `Landscape of ${PLACE}`)
    assert.equal(await s.page.locator('.lw-pair').count(), 1, 'the pair that could collaborate is there')
    assert.equal(await s.page.locator('svg.lw-map').count(), 1, 'the map is drawn on the server')
    assertDeprivedFirst(await gapDeciles(s))

    await s.fill({ distance_km: '0' })
    assert.equal(await s.submit('Show the landscape'), 422)
    await checkErrorSummary(s)
    assert.deepEqual(await s.errorSummary(), [DISTANCE_ERROR])

    await s.fill({ distance_km: '5 km', measure: 'gaps', by: 'client_group' })
    assert.equal(await s.submit('Show the landscape'), 200)
    const q = new URL(s.page.url()).searchParams
    assert.deepEqual([q.get('distance_km'), q.get('measure'), q.get('by')], ['5 km', 'gaps', 'client_group'])
    assert.match(await text(s.page.locator('main')), /within 5 km of the neighbourhood's centre/)
    assert.match(await text(s.page.locator('#coverage-caption')), /by client group$/)
    assert.equal(await s.page.locator('#by').inputValue(), 'client_group')
    s.assertClean()
  })
  await s.close()
})

test('every landscape page passes axe-core', () => {
  assert.equal(reports.length, 0, `axe-core found violations on ${reports.length} page(s):\n\n${reports.join('\n\n')}`)
})
