// The community side in a real browser. A community group, on a phone, marks its walking
// group full and then says how many places are left (and the public directory shows it),
// records its volunteers and a new activity, and asks the place for a room; a commissioner
// sees the request beside the landscape's gaps and marks it met. A manager sets up a budget
// pot; a link worker spends from it for a person on their caseload, once at once and once
// waiting for the manager, and a form sent twice is refused; the group applies for a
// micro-grant, the manager approves and pays it, the group reports back; a commissioner
// sees the pot without the person's name, and the spend report with its charts, tables and
// CSV. In the practitioners' forum a link worker arranges a meeting inviting the group,
// another employer's link worker signs up, the group sees its invitation but not the
// forum, notes are kept, a learning post is commented on, and who's who lists link workers
// by employer. The group's main forms work without JavaScript. axe-core checks each page.

import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { NAV, ROOT, Session, checkErrorSummary, explain, launchBrowser, seed, startServer } from './harness.mjs'

const PLACE = 'Calderdale'
const PCN = 'Calder PCN'
const CONNECTORS = 'Halifax Community Connectors'
const WALKERS = 'Todmorden Walkers'
const COUNCIL = 'Calderdale Council'
const MANAGER = { role: 'manager', email: 'mo.manager@example.org', name: 'Mo Manager', org: PCN }
const WORKER = { role: 'link_worker', email: 'lee.worker@example.org', name: 'Lee Worker', org: PCN }
const OTHER = { role: 'link_worker', email: 'olu.other@example.org', name: 'Olu Other', org: CONNECTORS }
const MEMBER = { role: 'community', email: 'cam.walker@example.org', name: 'Cam Walker', org: WALKERS }
const COMMISSIONER = { role: 'commissioner', email: 'cas.commissioner@example.org', name: 'Cas Commissioner', org: COUNCIL }

const OFFER = 'Todmorden Walking Group'
// A venue in Calderdale 012A, one of the most deprived neighbourhoods of England.
const POSTCODE = 'HX1 5NU'
const PERSON = { given_name: 'Ada', family_name: 'Lovelace', date_of_birth: '1950-12-10' }
const PERSON_NAME = `${PERSON.given_name} ${PERSON.family_name}`
const GOAL = 'I want to get out of the house more'

const POT = 'Calder community fund'
const GRANT = 'Walking kit for all weathers'
const REQUEST = 'A room for 20 people on Tuesday mornings, to meet before the walk.'
const MEETING = 'Loneliness: what works in Calderdale'
const POST = 'What we learned from the walking group'

const PHONE = { width: 360, height: 740 }
const ALREADY_DONE = 'This was already done: the form or request was sent twice, so nothing more was changed.'

let server, browser, loneliness, offerID, walkersID, personPath, potPath
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
  return text ? JSON.parse(text) : null
}

/** The date in London, offset by some days, as YYYY-MM-DD: the server's "today". */
function londonDay (offset = 0) {
  const d = new Date(Date.now() + offset * 86_400_000)
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d)
}

/** Last month in London, as the volunteers form's value (YYYY-MM) and label ("March 2026"). */
function lastMonth () {
  const [y, m] = londonDay().split('-').map(Number)
  const d = new Date(Date.UTC(y, m - 2, 1))
  const value = d.toISOString().slice(0, 7)
  return { value, label: d.toLocaleString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }) }
}

before(async () => {
  const tokens = {}
  server = await startServer({
    prepare: (run) => {
      // Requests, grants and personal spends are placed in neighbourhoods by postcode.
      run(['import', 'postcodes', join(ROOT, 'data', 'NSPL_NOV_2021_UK_HX.csv.gz')])
      run(['import', 'imd', join(ROOT, 'data', 'IMD2019_File1.csv.gz')])
      seed(run, {
        place: PLACE,
        organisations: [{ name: PCN, sector: 'nhs' }, { name: CONNECTORS, sector: 'vcse' }, { name: WALKERS, sector: 'vcse' },
          { name: COUNCIL, sector: 'council' }],
        users: [MANAGER, WORKER, OTHER, MEMBER, COMMISSIONER],
      })
      for (const u of [WORKER, OTHER, MEMBER]) {
        tokens[u.email] = run(['token', 'create', '--email', u.email, '--name', 'e2e']).trim()
      }
    },
  })
  const taxonomies = await api(tokens[MEMBER.email], 'GET', '/api/v1/taxonomies')
  const needs = (taxonomies.items ?? taxonomies).find((t) => t.code === 'need')
  loneliness = needs.terms.find((t) => t.code === 'loneliness')
  assert.ok(loneliness, 'the need taxonomy has loneliness')

  // The walking group's community offer, meeting every Tuesday in Halifax.
  const member = await api(tokens[MEMBER.email], 'GET', '/api/v1/me')
  walkersID = member.memberships[0].organisation_id
  const offer = await api(tokens[MEMBER.email], 'POST', '/api/v1/services', {
    organisation_id: walkersID,
    kind: 'activity',
    name: OFFER,
    description: 'A gentle walk along the canal every Tuesday morning, with a cup of tea after.',
    email: 'walks@example.org',
    status: 'active',
    free: true,
    term_ids: [loneliness.id],
    schedules: [{ freq: 'WEEKLY', days: [2], opens_at: '10:00', closes_at: '11:30' }],
    locations: [{ name: "People's Park", address_1: 'King Cross Road', town: 'Halifax', postcode: POSTCODE }],
  })
  offerID = offer.id

  // A person on the link worker's caseload, being supported, with a goal in their plan.
  const worker = await api(tokens[WORKER.email], 'GET', '/api/v1/me')
  const person = await api(tokens[WORKER.email], 'POST', '/api/v1/people', {
    ...PERSON,
    address_1: '1 Crossley Street',
    town: 'Halifax',
    postcode: POSTCODE,
    phone: '01422 000000',
    contact_preferences: ['phone'],
    worker_user_id: worker.user.id,
  })
  personPath = `/people/${person.id}`
  await api(tokens[WORKER.email], 'POST', `/api/v1${personPath}/contacts`,
    { on: londonDay(), mode: 'phone', minutes: 30, note: 'First call.' })
  await api(tokens[WORKER.email], 'POST', `/api/v1${personPath}/goals`, { text: GOAL })

  // Both link workers keep their entry in the directory of link workers.
  for (const [u, title] of [[WORKER, 'Social prescribing link worker'], [OTHER, 'Community connector']]) {
    const me = await api(tokens[u.email], 'GET', '/api/v1/me')
    await api(tokens[u.email], 'PUT', '/api/v1/practitioners/me',
      { name: u.name, job_title: title, organisation_id: me.memberships[0].organisation_id, email: u.email })
  }
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

/** The text of the page's main content as it reads. */
function mainText (s) {
  return text(s.page.locator('main'))
}

/** Clicks a label whose whole text is label, within scope (a page or a locator). */
async function chooseLabel (scope, label) {
  await scope.locator('label', { hasText: new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }).click()
}

/**
 * Follows a link of the header's navigation. On a narrow window the header folds its last
 * links into a "More" menu, which is opened first.
 */
async function followNav (s, label) {
  const link = s.page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: label, exact: true })
  if (!(await link.isVisible())) {
    await s.page.locator('header .nhsuk-header__menu-toggle').click()
  }
  return s.clickAndWait(link)
}

/**
 * The page of a scope (a page or a locator): an inner locator of `has` is queried from the
 * element it filters, so it must be made from the page, not from the scope.
 */
function pageOf (scope) {
  return typeof scope.page === 'function' ? scope.page() : scope
}

/** Opens a <details> by its summary's text. */
async function openDetails (scope, summary) {
  const details = scope.locator('details', { has: pageOf(scope).locator('summary', { hasText: summary }) }).first()
  if (!(await details.evaluate((d) => d.open))) await details.locator('summary').click()
  return details
}

/** The rows of a table's body as text. */
async function rows (table) {
  return (await table.locator('tbody tr').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim())
}

/** The summary-list value of a key, on the page or within a locator. */
async function summaryValue (scope, key) {
  return text(scope.locator('.nhsuk-summary-list__row', { has: pageOf(scope).locator('dt', { hasText: key }) }).first().locator('dd'))
}

test('on a phone, a community group keeps its listing, volunteers and activities, and asks for a room', async () => {
  const s = await Session.open(browser, server, { name: 'group-phone' })
  await s.page.setViewportSize(PHONE)
  await explain(s, async () => {
    assert.equal(await s.signIn(MEMBER.email), 200)
    assert.deepEqual(await s.nav(), NAV.community)
    await check(s, 'home of a community group on a phone')
    await s.clickAndWait(s.page.locator('main').getByRole('link', { name: 'Your groups', exact: true }))
    assert.equal(s.path(), '/groups')
    assert.equal(await s.heading(), 'Your groups')
    await check(s, 'your groups')
    assert.equal(await text(s.page.getByRole('heading', { level: 2, name: WALKERS })), WALKERS)

    // The offer is full for now, with a note.
    const card = s.page.locator(`#svc-${offerID}`)
    assert.equal(await text(card.locator('h4')), OFFER)
    assert.equal(await text(card.locator('strong.nhsuk-tag').first()), 'Not updated this week')
    await chooseLabel(card, 'Yes, it is full')
    await card.locator(`#svc-${offerID}-note`).fill('Back open in January')
    assert.equal(await s.clickAndWait(card.getByRole('button', { name: `Save ${OFFER} this week`, exact: true })), 200)
    assert.equal(s.path(), '/groups')
    assert.equal(await s.flash(), 'Thank you. People choosing where to go will see this now.')
    assert.equal(await text(card.locator('strong.nhsuk-tag').first()), 'Full')
    assert.equal(await summaryValue(card, 'Your note'), 'Back open in January')
    assert.match(await summaryValue(card, 'Last checked'), /^\d{1,2} \w+ \d{4}$/, 'the listing is marked checked today')
    await check(s, 'your groups with the offer full')

    // Room again: three places this week.
    await chooseLabel(card, 'No, it has room')
    await card.locator(`#svc-${offerID}-places_left`).fill('3')
    await card.locator(`#svc-${offerID}-note`).fill('Ring before you come')
    assert.equal(await s.clickAndWait(card.getByRole('button', { name: `Save ${OFFER} this week`, exact: true })), 200)
    assert.equal(await s.flash(), 'Thank you. People choosing where to go will see this now.')
    assert.equal(await text(card.locator('strong.nhsuk-tag').first()), '3 places left this week')
    assert.equal(await card.locator(`#svc-${offerID}-places_left`).inputValue(), '3', 'the form shows what is saved')

    // Volunteers for last month: hours that are not a number are refused and nothing is saved.
    const month = lastMonth()
    const vol = `vol-${walkersID}`
    const lastMonthRow = s.page.locator(`#${vol} + dl .nhsuk-summary-list__row`, { hasText: `Last month (${month.label})` })
    assert.equal(await text(lastMonthRow.locator('dd')), 'Not recorded yet')
    let details = await openDetails(s.page, 'Record volunteers for a month')
    await details.locator(`#${vol}-month`).selectOption(month.value)
    await details.locator(`#${vol}-volunteers`).fill('6')
    await details.locator(`#${vol}-hours`).fill('about forty')
    assert.equal(await s.clickAndWait(details.getByRole('button', { name: 'Save volunteers' })), 422)
    await checkErrorSummary(s)
    await check(s, 'your groups with volunteers in error', 422)
    assert.deepEqual(await s.errorSummary(), ['Enter the hours as a whole number, such as 40.'])
    assert.equal(await s.page.locator(`#${vol}-volunteers`).inputValue(), '6', 'what was typed stays')
    assert.equal(await s.page.locator(`#${vol}-month`).inputValue(), month.value, 'the month chosen stays')
    await s.goto('/groups')
    assert.equal(await text(lastMonthRow.locator('dd')), 'Not recorded yet', 'nothing was saved')
    details = await openDetails(s.page, 'Record volunteers for a month')
    await details.locator(`#${vol}-month`).selectOption(month.value)
    await details.locator(`#${vol}-volunteers`).fill('6')
    await details.locator(`#${vol}-hours`).fill('40')
    assert.equal(await s.clickAndWait(details.getByRole('button', { name: 'Save volunteers' })), 200)
    assert.equal(await s.flash(), 'Your volunteers for the month have been saved.')
    assert.equal(await text(lastMonthRow.locator('dd')), '6 volunteers gave 40 hours')

    // A new activity, made with the people who use it.
    const act = `act-${walkersID}`
    details = await openDetails(s.page, 'Add a new activity')
    await details.locator(`#${act}-name`).fill('Chair yoga')
    await details.locator(`#${act}-started_on`).fill(londonDay(-7))
    await details.locator(`#${act}-description`).fill('Gentle yoga sitting down, after the walk.')
    await details.locator(`#${act}-need`).selectOption(loneliness.code)
    await chooseLabel(details, 'Made with the people who use it')
    assert.equal(await s.clickAndWait(details.getByRole('button', { name: 'Add the activity' })), 200)
    assert.equal(await s.flash(), 'The new activity has been added.')
    const activity = await text(s.page.locator(`#${act} + ul li`, { hasText: 'Chair yoga' }))
    assert.match(activity, new RegExp(`^Chair yoga, started .* Made with the people who use it Helps with ${loneliness.name} Gentle yoga`))
    await check(s, 'your groups with volunteers and an activity')

    // Tell the place what the group needs: a room, near the park.
    const req = `req-${walkersID}`
    details = await openDetails(s.page, 'Ask for something')
    await chooseLabel(details, 'Space')
    await details.locator(`#${req}-detail`).fill(REQUEST)
    await details.locator(`#${req}-need`).selectOption(loneliness.code)
    await details.locator(`#${req}-postcode`).fill(POSTCODE)
    assert.equal(await s.clickAndWait(details.getByRole('button', { name: 'Send the request' })), 200)
    assert.equal(await s.flash(), 'Your request has been sent to the place. You will see here when it is answered.')
    const asked = await text(s.page.locator(`#${req} ~ ul li`, { hasText: REQUEST }))
    assert.match(asked, new RegExp(`^Space Open ${REQUEST.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} Asked .* by ${MEMBER.name}\\. Helps with ${loneliness.name}\\. In Calderdale \\d{3}[A-Z]`))
    await check(s, 'your groups with a request')
    s.assertClean()
  })
  await s.close()

  // Anyone searching the directory sees how full the offer is, on its result and its page.
  const pub = await Session.open(browser, server, { name: 'public' })
  await explain(pub, async () => {
    await pub.goto('/directory')
    await pub.fill({ q: 'walking' })
    assert.equal(await pub.submit('Search'), 200)
    await check(pub, 'public directory search')
    const result = pub.page.locator('li.lw-result', { has: pub.page.getByRole('link', { name: OFFER, exact: true }) })
    assert.equal(await result.count(), 1, 'the offer is found')
    assert.equal(await text(result.locator('.lw-result__by strong.nhsuk-tag')), '3 places left this week')
    await pub.clickAndWait(result.getByRole('link', { name: OFFER, exact: true }))
    assert.equal(await pub.heading(), OFFER)
    await check(pub, 'public service page')
    assert.match(await mainText(pub), /3 places left this week Ring before you come/)
    pub.assertClean()
  })
  await pub.close()
})

test('a commissioner sees the request beside the gaps and marks it met', async () => {
  const s = await Session.open(browser, server, { name: 'commissioner-requests' })
  await explain(s, async () => {
    assert.equal(await s.signIn(COMMISSIONER.email), 200)
    assert.deepEqual(await s.nav(), NAV.commissioner)
    await followNav(s, 'Landscape')
    assert.equal(s.path(), '/landscape')
    await check(s, 'landscape with a group request')
    const section = s.page.locator('section[aria-labelledby="group-requests"]')
    assert.equal(await text(section.locator('h2')), 'What groups have asked for')
    assert.match(await text(section.locator('h3').first()), /^Calderdale \d{3}[A-Z] \(E\d{8}, IMD decile \d+\)$/)
    assert.equal(await text(section.locator('li')), `Space for ${WALKERS}, to help with ${loneliness.name}: ${REQUEST}`)

    await s.clickAndWait(section.getByRole('link', { name: 'See every request' }))
    assert.equal(s.path(), '/groups/requests')
    assert.equal(await s.heading(), 'What groups have asked for')
    await check(s, 'every group request')
    const item = s.page.locator('#requests > li', { hasText: REQUEST })
    assert.equal(await item.count(), 1)
    assert.equal(await text(item.locator('h2')), `Space for ${WALKERS} Open`)
    assert.match(await summaryValue(item, 'Neighbourhood'), /^Calderdale \d{3}[A-Z] \(IMD decile \d+\)$/)
    assert.equal(await summaryValue(item, 'Helps with'), loneliness.name)

    const details = await openDetails(item, 'Mark as met')
    await details.getByLabel('How it was met').fill('The library has a room free on Tuesdays: ring Sam on 01422 000000.')
    assert.equal(await s.clickAndWait(details.getByRole('button', { name: 'Mark as met' })), 200)
    assert.equal(await s.flash(), 'The request is marked as met, and the group will see your response.')
    assert.equal(await text(s.page.locator('#requests')), 'There are no requests like that.', 'no open request is left')
    await s.fill({ status: 'met' })
    assert.equal(await s.submit('Show'), 200)
    const met = s.page.locator('#requests > li', { hasText: REQUEST })
    assert.equal(await text(met.locator('h2')), `Space for ${WALKERS} Met`)
    assert.match(await summaryValue(met, 'How it was met'), /^The library has a room free on Tuesdays/)
    await check(s, 'requests that were met')
    s.assertClean()
  })
  await s.close()
})

test('a manager sets up a budget pot for the team', async () => {
  const s = await Session.open(browser, server, { name: 'manager-pot' })
  await explain(s, async () => {
    assert.equal(await s.signIn(MANAGER.email), 200)
    assert.deepEqual(await s.nav(), NAV.manager)
    await followNav(s, 'Budgets')
    assert.equal(s.path(), '/budgets')
    assert.equal(await s.heading(), 'Budgets')
    await check(s, 'budgets with no pot')
    await s.clickAndWait(s.page.getByRole('link', { name: 'Set up a pot' }))
    assert.equal(s.path(), '/budgets/new')
    assert.equal(await s.heading(), 'Set up a budget pot')
    await check(s, 'set up a pot')
    assert.equal(await s.page.getByRole('radio', { name: 'A team' }).isChecked(), true, 'a team holds it unless chosen otherwise')
    const key = await s.page.locator('input[name="idempotency_key"]').inputValue()
    assert.match(key, /^[0-9a-f]{32}$/, 'the form carries an idempotency key')

    // A fraction of a penny and no name: refused, what was typed stays, the key too.
    await s.fill({
      funder: 'Calderdale Integrated Care Board',
      period_end: londonDay(365),
      amount: '12.345',
      max_per_item: '100',
      approval_threshold: '50',
      rules: 'Things that help someone take part: travel, kit, a first session’s fee. Not rent or bills.',
    })
    await chooseLabel(s.page, `Community groups in ${PLACE} may apply to it for micro-grants`)
    assert.equal(await s.submit('Set up the pot'), 422)
    await checkErrorSummary(s)
    await check(s, 'set up a pot with errors', 422)
    assert.deepEqual(await s.errorSummary(), ['Enter the name.', 'Amounts are in whole pence: use at most two figures after the point.'])
    assert.equal(await s.page.locator('#max_per_item').inputValue(), '100')
    assert.equal(await s.page.locator('#amount').inputValue(), '12.345')
    assert.equal(await s.page.getByRole('checkbox', { name: `Community groups in ${PLACE} may apply to it for micro-grants` }).isChecked(), true)
    assert.equal(await s.page.locator('input[name="idempotency_key"]').inputValue(), key, 'the form keeps its key')

    await s.fill({ name: POT, amount: '500' })
    assert.equal(await s.submit('Set up the pot'), 200)
    assert.match(s.path(), /^\/budgets\/\d+$/)
    potPath = s.path()
    assert.equal(await s.flash(), 'The pot is set up. Its money and every spend from it are in its ledger below.')
    assert.equal(await s.heading(), POT)
    await check(s, 'new pot')
    assert.equal(await summaryValue(s.page, 'Available to spend'), '£500.00')
    assert.equal(await summaryValue(s.page, 'Most per item'), '£100.00')
    assert.equal(await summaryValue(s.page, 'A manager approves'), 'Spends over £50.00')
    assert.equal(await summaryValue(s.page, 'May be spent on'), 'Micro-grants and personal spends')
    assert.equal(await summaryValue(s.page, 'Applications from groups'), 'Community groups may apply for micro-grants')
    const ledger = await rows(s.page.locator('table', { has: s.page.locator('caption', { hasText: `The ledger of ${POT}` }) }))
    assert.equal(ledger.length, 1, `one entry: ${ledger}`)
    assert.match(ledger[0], new RegExp(`^Allocation No\\. \\d+ .* £500\\.00 \\+£500\\.00 in the pot ${MANAGER.name}`))
    s.assertClean()
  })
  await s.close()
})

test('a link worker spends for a person: once at once, once for a manager, and a form sent twice is refused', async () => {
  assert.ok(potPath, 'the pot was set up')
  const s = await Session.open(browser, server, { name: 'worker-spends' })
  await explain(s, async () => {
    assert.equal(await s.signIn(WORKER.email), 200)
    assert.deepEqual(await s.nav(), NAV.link_worker)
    await followNav(s, 'People')
    await s.clickAndWait(s.page.locator('main').getByRole('link', { name: PERSON_NAME }))
    assert.equal(s.path(), personPath)

    /** Opens the spend form from the goal and fills it in; returns the form's key. */
    async function fillSpend (item, amount, reason) {
      await s.goto(personPath)
      await s.clickAndWait(s.page.getByRole('link', { name: `Spend from a budget for the goal ${GOAL}` }))
      assert.match(s.path(), new RegExp(`^${personPath}/spend\\?goal=\\d+$`))
      assert.equal(await s.heading(), 'Spend from a budget')
      assert.equal(await s.page.getByRole('radio', { name: `${POT}: ` }).first().isChecked(), true, 'the only pot is chosen')
      assert.equal(await s.page.locator('#goal_id option:checked').innerText(), GOAL, 'the goal it came from is chosen')
      await s.fill({ item, amount, need: loneliness.code, reason })
      return s.page.locator('input[name="idempotency_key"]').inputValue()
    }

    // £12.50 is within the threshold: paid at once.
    const key = await fillSpend('Bus pass for a month', '12.50', 'So that she can get to the walking group on Tuesdays.')
    await check(s, 'personal spend form')
    assert.match(await text(s.page.locator('.nhsuk-radios__hint').first()), /Up to £50\.00 is paid at once; more waits for a manager's approval\. At most £100\.00 per item\./)
    assert.equal(await s.submit('Spend'), 200)
    assert.match(s.path(), new RegExp(`^${potPath}/spends/\\d+$`))
    const paidPath = s.path()
    assert.equal(await s.flash(), 'The spend is recorded and paid from the pot.')
    assert.equal(await s.heading(), 'Bus pass for a month')
    assert.equal(await text(s.page.locator('main strong.nhsuk-tag').first()), 'Paid')
    assert.equal(await summaryValue(s.page, 'For'), PERSON_NAME)
    assert.equal(await summaryValue(s.page, 'Goal of their plan'), GOAL)
    await check(s, 'personal spend paid')

    // The same form sent again (its key, as a second click or a resubmission sends it).
    await fillSpend('Bus pass for a month', '12.50', 'So that she can get to the walking group on Tuesdays.')
    await s.page.locator('input[name="idempotency_key"]').evaluate((el, k) => { el.value = k }, key)
    assert.equal(await s.submit('Spend'), 409)
    assert.match(await text(s.page.locator('.nhsuk-error-summary')), new RegExp(`^Nothing was spent ${ALREADY_DONE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
    await check(s, 'personal spend sent twice', 409)

    // £75 is above the threshold: it waits for a manager, its amount set aside.
    await fillSpend('Fee for a pottery class', '75', 'She wants to meet people through something she enjoys.')
    assert.equal(await s.submit('Spend'), 200)
    assert.equal(await s.flash(), "The spend is waiting for a manager's approval. Its amount is set aside in the pot until then.")
    assert.equal(await text(s.page.locator('main strong.nhsuk-tag').first()), 'Waiting for a manager')
    await check(s, 'personal spend waiting')

    // The pot's ledger has one payment of £12.50, and £75 committed.
    await s.clickAndWait(s.page.getByRole('link', { name: `Back to ${POT}` }))
    assert.equal(s.path(), potPath)
    await check(s, 'pot with spends, for the link worker')
    assert.equal(await summaryValue(s.page, 'Available to spend'), '£412.50')
    assert.match(await summaryValue(s.page, 'Committed'), /^£75\.00/)
    const ledger = await rows(s.page.locator('table', { has: s.page.locator('caption', { hasText: `The ledger of ${POT}` }) }))
    assert.equal(ledger.filter((r) => r.includes('£12.50')).length, 1, `one entry for the bus pass: ${ledger.join('\n')}`)
    assert.match(ledger.find((r) => r.includes('£12.50')), /^Spend .* -£12\.50 in the pot/)
    assert.match(ledger.find((r) => r.includes('£75.00')), /^Commitment .* \+£75\.00 committed/)
    const spends = await rows(s.page.locator('table', { has: s.page.locator('caption', { hasText: `Spends from ${POT}` }) }))
    assert.equal(spends.length, 2, `two spends: ${spends.join('\n')}`)
    assert.ok(spends.every((r) => r.includes(PERSON_NAME)), 'the holding organisation sees who each spend is for')
    assert.ok(await s.page.locator(`a[href="${paidPath}"]`).count() > 0, 'the pot links to the spend paid')
    s.assertClean()
  })
  await s.close()
})

test('the group applies for a micro-grant from its page, and sees its request was met', async () => {
  assert.ok(potPath, 'the pot was set up')
  const s = await Session.open(browser, server, { name: 'group-grant' })
  await explain(s, async () => {
    assert.equal(await s.signIn(MEMBER.email), 200)
    await followNav(s, 'Your groups')
    const asked = s.page.locator(`#req-${walkersID} ~ ul li`, { hasText: REQUEST })
    assert.match(await text(asked), /^Space Met .* The place's answer: The library has a room free on Tuesdays/)

    await s.clickAndWait(s.page.getByRole('link', { name: 'Apply for a micro-grant, or report back on one' }))
    assert.equal(s.path(), '/grants')
    assert.equal(await s.heading(), 'Micro-grants')
    await check(s, 'micro-grants for a group')
    const pot = s.page.locator('.lw-row', { has: s.page.getByRole('heading', { name: POT }) })
    assert.match(await text(pot), new RegExp(`From ${PCN}, funded by Calderdale Integrated Care Board .* Most per grant £100\\.00 For needs Any need`))
    await s.clickAndWait(pot.getByRole('link', { name: `Apply to ${POT}` }))
    assert.match(s.path(), /^\/grants\/apply\?pot=\d+$/)
    assert.equal(await s.heading(), 'Apply for a micro-grant')
    await check(s, 'micro-grant application')
    assert.match(await mainText(s), new RegExp(`Applying for ${WALKERS}\\.`))
    assert.equal(await s.page.locator('#contact_name').inputValue(), MEMBER.name)
    await s.fill({
      activity_name: GRANT,
      purpose: 'Flasks and waterproofs to lend, so that nobody stays at home when it rains.',
      need: loneliness.code,
      postcode: POSTCODE,
      people_expected: '20',
      amount: '90',
      contact_phone: '01422 000222',
    })
    assert.equal(await s.submit('Send the application'), 200)
    assert.match(s.path(), /^\/grants\/\d+$/)
    assert.equal(await s.flash(), 'Your application has been sent. You will see the decision on this page.')
    assert.equal(await s.heading(), GRANT)
    assert.equal(await text(s.page.locator('main strong.nhsuk-tag').first()), 'Waiting for a decision')
    assert.equal(await summaryValue(s.page, 'Amount'), '£90.00')
    await check(s, 'micro-grant applied for')
    s.assertClean()
  })
  await s.close()
})

test('the manager approves the spend waiting, and approves and pays the grant', async () => {
  const s = await Session.open(browser, server, { name: 'manager-decides' })
  await explain(s, async () => {
    assert.equal(await s.signIn(MANAGER.email), 200)
    await followNav(s, 'Budgets')
    await check(s, 'budgets with spends waiting')
    const waiting = s.page.locator('table', { has: s.page.locator('caption', { hasText: 'Spends waiting for your decision' }) })
    const waits = await rows(waiting)
    assert.equal(waits.length, 2, `the spend and the grant wait: ${waits.join('\n')}`)
    assert.match(waits.find((r) => r.startsWith('Fee for a pottery class')), new RegExp(`Personal spend ${PERSON_NAME} ${POT} £75\\.00`))
    assert.match(waits.find((r) => r.startsWith(GRANT)), new RegExp(`Micro-grant ${WALKERS} ${POT} £90\\.00`))

    // The personal spend: approved, it is paid.
    await s.clickAndWait(waiting.getByRole('link', { name: 'Fee for a pottery class' }))
    await check(s, 'personal spend to decide')
    await chooseLabel(s.page, 'Approve: pay it from the pot')
    assert.equal(await s.submit('Save the decision'), 200)
    assert.equal(await s.flash(), 'The spend is approved and paid from the pot.')
    assert.equal(await text(s.page.locator('main strong.nhsuk-tag').first()), 'Paid')

    // The grant: approved, its amount is set aside; paid, the group owes a report.
    await followNav(s, 'Budgets')
    await s.clickAndWait(s.page.getByRole('link', { name: GRANT }))
    await check(s, 'micro-grant to decide')
    assert.equal(await summaryValue(s.page, 'For'), WALKERS)
    await chooseLabel(s.page, 'Approve: set the amount aside, to pay when the money goes to the group')
    assert.equal(await s.submit('Save the decision'), 200)
    assert.equal(await s.flash(), 'The grant is approved and its amount set aside in the pot. Pay it when the money goes to the group.')
    assert.equal(await text(s.page.locator('main strong.nhsuk-tag').first()), 'Approved, not yet paid')
    await check(s, 'micro-grant approved')
    assert.equal(await s.submit('Record the payment'), 200)
    assert.equal(await s.flash(), 'The grant is paid. The group is asked to report back on what it did with the money.')
    assert.equal(await text(s.page.locator('main strong.nhsuk-tag').first()), 'Paid')
    assert.match(await summaryValue(s.page, 'Report due'), /^\d{1,2} \w+ \d{4}$/)

    await s.clickAndWait(s.page.getByRole('link', { name: `Back to ${POT}` }))
    assert.equal(await summaryValue(s.page, 'Available to spend'), '£322.50')
    assert.match(await summaryValue(s.page, 'Committed'), /^£0\.00/)
    assert.equal(await summaryValue(s.page, 'Spent'), '£177.50')
    await check(s, 'pot after the decisions')
    s.assertClean()
  })
  await s.close()
})

test('the group reports back on its grant', async () => {
  const s = await Session.open(browser, server, { name: 'group-report' })
  await explain(s, async () => {
    assert.equal(await s.signIn(MEMBER.email), 200)
    await s.goto('/groups')
    await s.clickAndWait(s.page.getByRole('link', { name: 'Apply for a micro-grant, or report back on one' }))
    const row = s.page.locator('table tbody tr', { hasText: GRANT })
    assert.match(await text(row), /£90\.00 Paid Report back on .* by \d{1,2} \w+ \d{4}$/)
    await s.clickAndWait(row.getByRole('link', { name: `Report back on ${GRANT}` }))
    assert.match(s.path(), /^\/grants\/\d+\/report$/)
    assert.equal(await s.heading(), 'Report back')
    await check(s, 'report back on a grant')
    assert.equal(await s.page.locator('#amount_used').inputValue(), '90.00', 'all of it, unless changed')
    await s.fill({ what_happened: 'We lent the kit every week: eighteen people walked through the winter.', people_reached: '18', volunteers: '3' })
    assert.equal(await s.submit('Send the report'), 200)
    assert.match(s.path(), /^\/grants\/\d+$/)
    assert.equal(await s.flash(), "Thank you: your report has been sent to the pot's holder.")
    assert.equal(await text(s.page.locator('main strong.nhsuk-tag').first()), 'Paid and reported on')
    assert.equal(await summaryValue(s.page, 'People reached'), '18')
    await check(s, 'grant reported on')
    s.assertClean()
  })
  await s.close()
})

test('a commissioner sees the pot without the person, and where the money went', async () => {
  assert.ok(potPath, 'the pot was set up')
  const s = await Session.open(browser, server, { name: 'commissioner-budgets' })
  await explain(s, async () => {
    assert.equal(await s.signIn(COMMISSIONER.email), 200)
    await followNav(s, 'Budgets')
    await check(s, 'budgets of the place')
    await s.clickAndWait(s.page.getByRole('link', { name: POT, exact: true }))
    assert.equal(s.path(), potPath)
    await check(s, 'pot for a commissioner')
    const spends = await rows(s.page.locator('table', { has: s.page.locator('caption', { hasText: `Spends from ${POT}` }) }))
    assert.equal(spends.length, 3, `three spends: ${spends.join('\n')}`)
    assert.equal(spends.filter((r) => /Personal spend A person/.test(r)).length, 2, 'a personal spend is for "A person"')
    assert.doesNotMatch(await s.page.locator('body').innerText(), /Lovelace|Ada/, 'the pot does not name the person')
    await s.clickAndWait(s.page.getByRole('link', { name: 'Bus pass for a month' }))
    assert.equal(await summaryValue(s.page, 'For'), 'A person')
    assert.equal(await s.page.locator('dt', { hasText: 'Why' }).count(), 0, 'nor why')
    assert.doesNotMatch(await s.page.locator('body').innerText(), /Lovelace|Ada|walking group on Tuesdays/)
    await check(s, 'personal spend for a commissioner')

    // The spend report: by need and by neighbourhood, each a chart with its table.
    await followNav(s, 'Budgets')
    await s.clickAndWait(s.page.getByRole('link', { name: 'Where the money went: the spend report' }))
    assert.equal(s.path(), '/budgets/report')
    assert.equal(await s.heading(), 'Where the budgets went')
    await check(s, 'spend report')
    assert.equal(await summaryValue(s.page, 'Net spend'), '£177.50')
    assert.equal(await summaryValue(s.page, 'Spends'), '3: 1 micro-grant and 2 personal spends')
    for (const [section, caption] of [['by-need', 'Spend by need'], ['by-neighbourhood', 'Spend by neighbourhood, most deprived first']]) {
      const part = s.page.locator(`section[aria-labelledby="${section}"]`)
      const chart = part.locator('figure svg[role="img"]')
      assert.equal(await chart.count(), 1, `${section} has a chart drawn on the server`)
      assert.match(await chart.locator('desc').first().textContent(), /£177\.50/, `${section}'s chart says its figures`)
      const table = part.locator('table', { has: s.page.locator('caption', { hasText: caption }) })
      assert.equal(await table.count(), 1, `${section} has its table`)
    }
    const byNeed = await rows(s.page.locator('section[aria-labelledby="by-need"] table'))
    assert.deepEqual(byNeed, [`${loneliness.name} 1 2 £177.50`])
    const byArea = await rows(s.page.locator('section[aria-labelledby="by-neighbourhood"] table'))
    assert.equal(byArea.length, 1, `one neighbourhood: ${byArea}`)
    assert.match(byArea[0], /^Calderdale \d{3}[A-Z] E\d{8} \d+ 1 2 £177\.50$/)
    assert.doesNotMatch(await s.page.locator('body').innerText(), /Lovelace|Ada/, 'the report names nobody')

    // The tables download as CSV for the funder.
    const href = await s.page.getByRole('link', { name: 'Spend by need (CSV)', exact: true }).getAttribute('href')
    assert.match(href, /^\/budgets\/report\/export\/by_need\.csv\?from=\d{4}-04-01&to=\d{4}-03-31$/)
    const csv = await s.fetch(href)
    assert.equal(csv.status, 200)
    const lines = csv.body.replace(/^\ufeff/, '').trim().split('\r\n')
    assert.equal(lines[0], 'Need code,Need,Micro-grants,Personal spends,Net spend (£)')
    assert.equal(lines.length, 2, `one need: ${lines}`)
    assert.match(lines[1], new RegExp(`^${loneliness.code},${loneliness.name},1,2,177\\.50?$`))
    s.assertClean()
  })
  await s.close()
})

let meetingPath

test('a link worker arranges a forum meeting inviting the group; another employer\'s link worker signs up', async () => {
  const s = await Session.open(browser, server, { name: 'worker-forum' })
  await explain(s, async () => {
    assert.equal(await s.signIn(WORKER.email), 200)
    await followNav(s, 'Forum')
    assert.equal(s.path(), '/forum')
    assert.equal(await s.heading(), "Practitioners' forum")
    await check(s, 'forum')
    await s.clickAndWait(s.page.getByRole('link', { name: 'Arrange a meeting' }).first())
    assert.equal(s.path(), '/forum/meetings/new')
    await check(s, 'arrange a meeting')
    assert.equal(await s.submit('Arrange the meeting'), 422)
    await checkErrorSummary(s)
    await check(s, 'arrange a meeting with errors', 422)

    const [y, m, d] = londonDay(14).split('-')
    await s.fill({
      title: MEETING,
      date: String(Number(d)),
      'date-month': String(Number(m)),
      'date-year': y,
      start_time: '14:00',
      end_time: '3:30pm',
      venue: 'Halifax Central Library, Northgate, room 2',
      agenda: 'Welcome and introductions\n\nWhat the walking group has taught us\n\nGaps in Halifax',
    })
    await chooseLabel(s.page, `${WALKERS} (Voluntary, community or social enterprise)`)
    assert.equal(await s.submit('Arrange the meeting'), 200)
    assert.match(s.path(), /^\/forum\/meetings\/\d+$/)
    meetingPath = s.path()
    assert.equal(await s.flash(), 'The meeting has been arranged. Share its page so that people can sign up.')
    assert.equal(await s.heading(), MEETING)
    await check(s, 'meeting')
    assert.match(await summaryValue(s.page, 'When'), /, 2pm to 3:30pm \(UK time\)$/)
    assert.equal(await summaryValue(s.page, 'Where'), 'Halifax Central Library, Northgate, room 2')
    assert.equal(await summaryValue(s.page, 'Community organisations invited'), WALKERS)
    assert.deepEqual((await s.page.locator('main p.lw-text').allInnerTexts()).slice(0, 3),
      ['Welcome and introductions', 'What the walking group has taught us', 'Gaps in Halifax'])
    s.assertClean()
  })
  await s.close()

  const other = await Session.open(browser, server, { name: 'other-forum' })
  await explain(other, async () => {
    assert.equal(await other.signIn(OTHER.email), 200)
    assert.deepEqual(await other.nav(), NAV.link_worker)
    await followNav(other, 'Forum')
    await other.clickAndWait(other.page.getByRole('link', { name: MEETING }))
    assert.equal(other.path(), meetingPath)
    assert.equal(await other.submit('Sign up'), 200)
    assert.equal(await other.flash(), 'You have signed up. The meeting is on your list of upcoming meetings.')
    assert.equal(await text(other.page.locator('main p strong.nhsuk-tag')), "You're going")
    assert.deepEqual((await other.page.locator('#going + ul li').allInnerTexts()).map((t) => t.trim()), [`${OTHER.name}, ${CONNECTORS}`])
    await check(other, 'meeting signed up to')
    other.assertClean()
  })
  await other.close()
})

test('the group sees the meeting it is invited to, but not the forum', async () => {
  assert.ok(meetingPath, 'the meeting was arranged')
  const s = await Session.open(browser, server, { name: 'group-forum' })
  await explain(s, async () => {
    assert.equal(await s.signIn(MEMBER.email), 200)
    await s.goto('/groups')
    const invited = s.page.locator('section[aria-labelledby="meetings"]')
    assert.equal(await text(invited.locator('h2')), 'Meetings you are invited to')
    await s.clickAndWait(invited.getByRole('link', { name: MEETING }))
    assert.equal(s.path(), meetingPath)
    await check(s, 'meeting for the group')
    assert.equal(await s.page.locator('#notes').count(), 0, 'the forum\'s notes are for practitioners')
    assert.equal(await s.submit('Sign up'), 200)
    assert.equal(await s.flash(), 'You have signed up. The meeting is on your list of upcoming meetings.')
    assert.deepEqual((await s.page.locator('#going + ul li').allInnerTexts()).map((t) => t.trim()),
      [`${OTHER.name}, ${CONNECTORS}`, `${MEMBER.name}, ${WALKERS}`])

    await s.assertForbidden('/forum')
    await check(s, 'forum forbidden to a group', 403)
    await s.assertForbiddenQuick('/forum/posts')
    await s.assertForbiddenQuick('/forum/people')
    s.assertClean()
  })
  await s.close()
})

test('link workers keep the meeting\'s notes, write and comment on a learning post, and find each other', async () => {
  assert.ok(meetingPath, 'the meeting was arranged')
  let postPath
  const s = await Session.open(browser, server, { name: 'worker-notes' })
  await explain(s, async () => {
    assert.equal(await s.signIn(WORKER.email), 200)
    await s.goto(meetingPath)
    await s.clickAndWait(s.page.getByRole('link', { name: 'Write the notes' }))
    assert.equal(s.path(), `${meetingPath}/notes`)
    await check(s, 'meeting notes')
    await s.fill({ notes: 'Bring leaflets for the walking group.\n\nAsk the library about a room.' })
    assert.equal(await s.submit('Save the notes'), 200)
    assert.equal(s.path(), meetingPath)
    assert.equal(await s.flash(), 'The notes have been saved.')
    assert.match(await mainText(s), /Shared notes Bring leaflets for the walking group\. Ask the library about a room\. Last saved .* by Lee Worker\./)

    // A learning post, found by searching.
    await s.goto('/forum/posts')
    await check(s, 'learning posts')
    await s.clickAndWait(s.page.getByRole('link', { name: 'Write a post' }))
    await check(s, 'write a post')
    await s.fill({ title: POST, body: 'People come back when someone greets them by name.\n\n<b>Tea</b> after the walk matters more than the walk.' })
    assert.equal(await s.submit('Publish'), 200)
    assert.match(s.path(), /^\/forum\/posts\/\d+$/)
    postPath = s.path()
    assert.equal(await s.flash(), 'Your post has been published in the forum.')
    assert.equal(await s.heading(), POST)
    assert.match(await mainText(s), /<b>Tea<\/b> after the walk/, 'text is shown as written, not as HTML')
    await s.goto('/forum/posts?q=greets')
    assert.deepEqual((await s.page.locator('main li.lw-result h2').allInnerTexts()).map((t) => t.trim()), [POST])
    s.assertClean()
  })
  await s.close()

  const other = await Session.open(browser, server, { name: 'other-comment' })
  await explain(other, async () => {
    assert.equal(await other.signIn(OTHER.email), 200)
    await other.goto(postPath)
    await check(other, 'learning post')
    await other.fill({ body: 'Same in Halifax: we now meet people at the bus stop.' })
    assert.equal(await other.submit('Add comment'), 200)
    assert.equal(await other.flash(), 'Your comment has been added.')
    const comment = other.page.locator('#comments ~ .lw-row').first()
    assert.match(await text(comment), new RegExp(`^${OTHER.name}, ${CONNECTORS}, .* Same in Halifax: we now meet people at the bus stop\\.$`))
    await check(other, 'learning post with a comment')

    // Who's who: link workers by employer, each linking to their entry.
    await other.goto('/forum')
    await other.clickAndWait(other.page.locator('main .lw-subnav').getByRole('link', { name: "Who's who" }))
    assert.equal(other.path(), '/forum/people')
    await check(other, "who's who")
    const employers = (await other.page.locator('main h2').allInnerTexts()).map((t) => t.trim())
    assert.deepEqual(employers, [PCN, CONNECTORS])
    for (const [employer, person] of [[PCN, WORKER.name], [CONNECTORS, OTHER.name]]) {
      const list = other.page.locator('main h2', { hasText: employer }).locator('xpath=following-sibling::ul[1]')
      assert.deepEqual((await list.locator('h3').allInnerTexts()).map((t) => t.trim()), [person])
      assert.match(await list.getByRole('link', { name: person }).getAttribute('href'), /^\/practitioners\/\d+$/)
    }
    other.assertClean()
  })
  await other.close()
})

test('without JavaScript the group updates its listing and applies for a micro-grant', async () => {
  const s = await Session.open(browser, server, { javaScript: false, name: 'group-nojs' })
  await explain(s, async () => {
    assert.equal(await s.signIn(MEMBER.email), 200)
    await s.goto('/groups')
    const card = s.page.locator(`#svc-${offerID}`)
    await chooseLabel(card, 'No, it has room')
    await card.locator(`#svc-${offerID}-places_left`).fill('two')
    assert.equal(await s.clickAndWait(card.getByRole('button', { name: `Save ${OFFER} this week`, exact: true })), 422)
    await checkErrorSummary(s)
    assert.deepEqual(await s.errorSummary(), ['Enter the places left this week as a whole number, such as 3, or leave it empty.'])
    await card.locator(`#svc-${offerID}-places_left`).fill('2')
    assert.equal(await s.clickAndWait(card.getByRole('button', { name: `Save ${OFFER} this week`, exact: true })), 200)
    assert.equal(await s.flash(), 'Thank you. People choosing where to go will see this now.')
    assert.equal(await text(card.locator('strong.nhsuk-tag').first()), '2 places left this week')

    await s.clickAndWait(s.page.getByRole('link', { name: 'Apply for a micro-grant, or report back on one' }))
    await s.clickAndWait(s.page.getByRole('link', { name: `Apply to ${POT}` }))
    await s.fill({ activity_name: 'Tea urn', purpose: 'A tea urn for after the walk, for thirty people.', need: loneliness.code, amount: '12.345' })
    assert.equal(await s.submit('Send the application'), 422)
    await checkErrorSummary(s)
    assert.deepEqual(await s.errorSummary(), ['Amounts are in whole pence: use at most two figures after the point.'])
    await s.fill({ amount: '45' })
    assert.equal(await s.submit('Send the application'), 200)
    assert.match(s.path(), /^\/grants\/\d+$/)
    assert.equal(await s.flash(), 'Your application has been sent. You will see the decision on this page.')
    assert.equal(await s.heading(), 'Tea urn')
    s.assertClean()
  })
  await s.close()
})

test('every community page passes axe-core', () => {
  assert.equal(reports.length, 0, `axe-core found violations on ${reports.length} page(s):\n\n${reports.join('\n\n')}`)
})
