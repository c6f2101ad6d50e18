// The front door for referrals in a real browser: a GP's receptionist fills in the
// referral form, asks linkwork which schemes fit, and sends it; the scheme's manager finds
// it in the triage queue, accepts it and allocates it to the suggested link worker; a member
// of the public asks for support themselves, without JavaScript. axe-core checks each page.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { PASSWORD, Session, checkErrorSummary, explain, launchBrowser, seed, startServer } from './harness.mjs'

const PLACE = 'Calderdale'
const SCHEME_ORG = 'Calder PCN'
const SURGERY = 'Park Surgery'
const MANAGER = { role: 'manager', email: 'mo.manager@example.org', name: 'Mo Manager', org: SCHEME_ORG }
const WORKERS = [
  { role: 'link_worker', email: 'lee.worker@example.org', name: 'Lee Worker', org: SCHEME_ORG },
  { role: 'link_worker', email: 'lou.worker@example.org', name: 'Lou Worker', org: SCHEME_ORG },
]
const REFERRER = { role: 'referrer', email: 'rae.referrer@example.org', name: 'Rae Referrer', org: SURGERY }
const SCHEME = 'Calder Social Prescribing'

let server, browser, schemeID
const reports = []

/** Calls the JSON API with the manager's token. */
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
  let token
  server = await startServer({
    prepare: (run) => {
      seed(run, {
        place: PLACE,
        organisations: [{ name: SCHEME_ORG, sector: 'nhs' }, { name: SURGERY, sector: 'nhs' }],
        users: [MANAGER, ...WORKERS, REFERRER],
      })
      token = run(['token', 'create', '--email', MANAGER.email, '--name', 'e2e']).trim()
    },
  })
  // The scheme goes into the directory through the API, as the manager: it takes referrals
  // from GP practices and from people themselves, and helps with loneliness.
  const me = await api(token, 'GET', '/api/v1/me')
  const taxonomies = await api(token, 'GET', '/api/v1/taxonomies')
  const needs = (taxonomies.items ?? taxonomies).find((t) => t.code === 'need')
  const loneliness = needs.terms.find((t) => t.code === 'loneliness')
  const scheme = await api(token, 'POST', '/api/v1/services', {
    organisation_id: me.memberships[0].organisation_id,
    kind: 'connector_scheme',
    name: SCHEME,
    description: 'Link workers who help people find what matters to them.',
    status: 'active',
    free: true,
    term_ids: [loneliness.id],
    scheme: { model: 'pcn_link_worker', who_can_refer: ['gp_practice', 'self'], waiting_weeks: 2 },
  })
  schemeID = scheme.id
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

let reference, referralPath

test('a referrer fills in the form, finds the schemes that fit, and sends it', async () => {
  const s = await Session.open(browser, server, { name: 'referrer' })
  await explain(s, async () => {
    assert.equal(await s.signIn(REFERRER.email), 200)
    await s.clickAndWait(s.page.getByRole('link', { name: 'Refer someone', exact: true }))
    assert.equal(s.path(), '/referrals/new')
    await check(s, 'referral form')
    assert.equal(await s.page.locator('#referrer_name').inputValue(), REFERRER.name, 'the referrer is filled in')
    assert.equal(await s.page.locator('#referrer_type').inputValue(), 'gp_practice', 'from the organisation sector')

    // Sending it empty shows every problem next to its field, and saves nothing.
    assert.equal(await s.submit('Send the referral'), 422)
    await checkErrorSummary(s)
    await check(s, 'referral form with errors', 422)
    const problems = await s.errorSummary()
    assert.ok(problems.includes('The person must agree to the referral before it is sent. Ask them, and record how they agreed.'),
      `consent is asked for: ${problems}`)

    await s.fill({
      given_name: 'Ada',
      family_name: 'Lovelace',
      date_of_birth: '10',
      'date_of_birth-month': '12',
      'date_of_birth-year': '1950',
      address_1: '1 Crossley Street',
      town: 'Halifax',
      postcode: 'hx1 1ab',
      phone: '01422 000000',
      reason: 'Lives alone since her husband died, and rarely goes out.',
      risk: 'Large dog at home: phone before visiting.',
    })
    await s.page.locator('label', { hasText: 'Loneliness and isolation' }).click()
    await s.page.locator('label', { hasText: 'Phone call' }).click()
    await s.page.locator('label[for="consent"]').click()

    // Routing: the scheme is offered with why, and nothing is sent yet.
    assert.equal(await s.submit('Find schemes'), 200)
    await check(s, 'referral form with schemes')
    const option = s.page.locator(`input[name="scheme_id"][value="${schemeID}"]`)
    assert.equal(await option.count(), 1, 'the scheme is offered')
    assert.match(await s.page.locator('.nhsuk-radios__item', { has: option }).textContent(), /It helps with loneliness and isolation/)
    assert.equal(await s.page.locator('#given_name').inputValue(), 'Ada', 'what was typed stays')
    await s.page.locator(`label[for="${await option.getAttribute('id')}"]`).click()

    assert.equal(await s.submit('Send the referral'), 200)
    assert.match(s.path(), /^\/referrals\/\d+\?sent=1$/)
    referralPath = s.path().replace('?sent=1', '')
    await check(s, 'referral sent')
    assert.equal((await s.page.locator('.nhsuk-panel__heading').textContent()).trim(), 'Referral sent')
    reference = (await s.page.locator('.lw-reference').textContent()).trim()
    assert.match(reference, /^R-[0-9A-Z]+$/)
    assert.equal(await s.heading(), 'Ada Lovelace')
    assert.match(await s.page.locator('.nhsuk-card--warning').textContent(), /Large dog at home/)
    assert.equal(await s.page.locator('form[action$="/decision"]').count(), 0, 'a referrer makes no decisions')

    // The referrer's list shows it.
    await s.goto('/referrals?show=mine')
    await check(s, 'referrals sent by me')
    const row = s.page.locator('table.nhsuk-table tbody tr', { hasText: reference })
    assert.match(await row.textContent(), /Ada Lovelace[\s\S]*Calder Social Prescribing[\s\S]*Received/)
    s.assertClean()
  })
  await s.close()
})

test('the scheme manager triages: accepts and allocates to the suggested link worker', async () => {
  assert.ok(referralPath, 'the referral was sent')
  const s = await Session.open(browser, server, { name: 'manager' })
  await explain(s, async () => {
    assert.equal(await s.signIn(MANAGER.email), 200)
    await s.clickAndWait(s.page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Referrals', exact: true }))
    await s.clickAndWait(s.page.getByRole('link', { name: `Triage queue of ${SCHEME}` }))
    assert.equal(s.path(), `/schemes/${schemeID}/triage`)
    await check(s, 'triage queue')
    await s.clickAndWait(s.page.getByRole('link', { name: reference }))
    assert.equal(s.path(), referralPath)
    await check(s, 'referral to triage')

    assert.equal(await s.submit('Accept the referral'), 200)
    assert.equal(await s.flash(), 'Your decision has been recorded, and the referrer will be told.')
    assert.match(await s.page.locator('.nhsuk-tag').first().textContent(), /Accepted/)
    await check(s, 'accepted referral')
    const suggested = await s.page.locator('#allocate-worker_user_id option:checked').textContent()
    assert.match(suggested, /\(suggested\)$/, `a link worker is suggested: ${suggested}`)
    assert.equal(await s.submit('Allocate'), 200)
    assert.match(await s.page.locator('.nhsuk-tag').first().textContent(), /Allocated to a link worker/)
    const worker = suggested.split(':')[0]
    assert.match(await s.page.locator('.nhsuk-summary-list').first().textContent(), new RegExp(`Link worker\\s*${worker}`))

    // The letter back to the GP and the capacity view.
    await s.clickAndWait(s.page.getByRole('link', { name: 'Print or save as PDF' }))
    await check(s, 'letter back to the GP')
    assert.match(await s.page.locator('table.nhsuk-table').textContent(), /871731000000106/)
    await s.page.emulateMedia({ media: 'print' })
    assert.equal(await s.page.locator('nav[aria-label="Menu"]').isVisible(), false, 'no navigation in print')
    assert.equal(await s.page.locator('.lw-actions').isVisible(), false, 'no instructions in print')
    await s.page.emulateMedia({ media: 'screen' })
    await s.goto('/capacity')
    await check(s, 'capacity')
    assert.match(await s.page.locator('main').textContent(), new RegExp(`${worker}[\\s\\S]*1 of`))
    await s.goto(`/schemes/${schemeID}/waiting`)
    await check(s, 'waiting list')
    s.assertClean()
  })
  await s.close()
})

test('a member of the public asks for support themselves, without JavaScript', async () => {
  const s = await Session.open(browser, server, { javaScript: false, name: 'public-nojs' })
  let confirmation
  await explain(s, async () => {
    await s.goto('/')
    await s.clickAndWait(s.page.getByRole('link', { name: 'Ask for support' }))
    assert.equal(s.path(), '/refer')
    assert.equal(await s.heading(), `Ask for support in ${PLACE}`)
    assert.equal(await s.page.locator('.nhsuk-u-visually-hidden:has(#website)').count(), 1, 'the field for bots is hidden')
    await s.fill({
      given_name: 'Alan',
      family_name: 'Turing',
      date_of_birth: '23',
      'date_of_birth-month': '6',
      'date_of_birth-year': '1985',
      postcode: 'HX1 1AB',
      email: 'alan@example.org',
      reason: 'I have been on my own a lot and would like to meet people.',
    })
    await s.page.locator('label', { hasText: 'Loneliness and isolation' }).click()
    // A person takes more than a few seconds over a form; a script does not.
    await s.page.waitForTimeout(3200)
    // Without agreeing, nothing is sent.
    assert.equal(await s.submit('Send my request'), 422)
    assert.deepEqual(await s.errorSummary(), ['Tick the box to agree, so that we can pass your details to the scheme. We cannot send your request without it.'])
    await s.page.locator('label[for="consent"]').click()
    await s.page.waitForTimeout(3200)
    assert.equal(await s.submit('Send my request'), 200)
    assert.equal(await s.heading(), 'We have your request')
    const ref = (await s.page.locator('.lw-reference').textContent()).trim()
    assert.match(ref, /^R-[0-9A-Z]+$/)
    assert.match(await s.page.locator('main').textContent(), new RegExp(SCHEME))
    confirmation = s.path()
    s.assertClean()
  })
  await s.close()

  // The same pages pass axe (which needs JavaScript).
  const a = await Session.open(browser, server, { name: 'public' })
  await explain(a, async () => {
    await a.goto('/refer')
    await check(a, 'self-referral form')
    await a.submit('Send my request')
    await check(a, 'self-referral form refused', 400)
    await a.goto(confirmation)
    await check(a, 'self-referral sent')
    a.assertClean()
  })
  await a.close()

  // The scheme sees it in its triage queue, from the person themselves.
  const m = await Session.open(browser, server, { name: 'manager-self' })
  await explain(m, async () => {
    assert.equal(await m.signIn(MANAGER.email, PASSWORD), 200)
    await m.goto(`/schemes/${schemeID}/triage`)
    const row = m.page.locator('table.nhsuk-table tbody tr', { hasText: 'Alan Turing' })
    assert.match(await row.textContent(), /The person themselves/)
    m.assertClean()
  })
  await m.close()
})

test('every referral page passes axe-core', () => {
  assert.equal(reports.length, 0, `axe-core found violations on ${reports.length} page(s):\n\n${reports.join('\n\n')}`)
})
