# Rapport's words in English. Keys name the meaning; code writes them with
# dots and underscores (`top.sign_out`), which are hyphens here (`top-sign-out`).

app-name = Rapport

## Navigation and the page frame
nav-main = Main
nav-home = Home
nav-contacts = Contacts
nav-companies = Companies
nav-leads = Leads
nav-deals = Deals
nav-activities = Activities
nav-board = Deal board
nav-search = Search
nav-skip = Skip to the content
nav-menu = Menu
top-search-placeholder = Search people, companies, deals…
top-search-label = Search
top-new = New
top-user-menu = Your account
top-language = Language
top-sign-out = Sign out
top-shortcuts = Keyboard shortcuts

## Record kinds
kind-contacts = Contacts
kind-contacts-one = Contact
kind-companies = Companies
kind-companies-one = Company
kind-leads = Leads
kind-leads-one = Lead
kind-deals = Deals
kind-deals-one = Deal
kind-activities = Activities
kind-activities-one = Activity
kind-gadgets = Gadgets
kind-gadgets-one = Gadget
kind-contacts-empty = Contacts are the people you sell to and serve: add the first one, or import a spreadsheet.
kind-companies-empty = Companies group the contacts and deals of one customer.
kind-leads-empty = Leads are people or companies who showed interest and are not qualified yet.
kind-deals-empty = Deals are the sales you are working on, stage by stage.
kind-activities-empty = Calls, meetings, tasks and notes: everything done or to do with a customer.
kind-gadgets-empty = Gadgets exist only in tests.

## Field groups
group-main = Main
group-details = Details
group-address = Address
group-source = Source
group-schedule = Schedule
group-conversion = Conversion
group-system = System
group-custom = Custom fields

## Fields
field-first-name = First name
field-last-name = Last name
field-emails = E-mails
field-email = E-mail
field-phones = Phones
field-phone = Phone
field-company-id = Company
field-job-title = Job title
field-birth-date = Birth date
field-preferred-channel = Preferred channel
field-lifecycle-stage = Lifecycle stage
field-lifecycle-stage-help = Where the person is in their journey with you, from subscriber to customer.
field-consents = Consents
field-consents-help = What the person agreed to be contacted about, per channel.
field-street = Street
field-city = City
field-state = State
field-postal-code = Postal code
field-country = Country
field-source-channel = Source channel
field-source-channel-help = Where the record came from: a web form, an event, a referral…
field-source-campaign = Source campaign
field-utm-source = UTM source
field-utm-medium = UTM medium
field-utm-campaign = UTM campaign
field-name = Name
field-domain = Domain
field-domain-help = The company's web domain, such as acme.com.br: it finds the same company again.
field-industry = Industry
field-size-band = Size
field-tax-id = Tax id
field-tax-id-help = CNPJ, CUIT, RUT or another national company number.
field-website = Website
field-parent-company-id = Parent company
field-company-name = Company name
field-disqualified-reason = Disqualified because
field-score = Score
field-score-help = How likely the lead is to buy, from 0 to 100.
field-converted-contact-id = Converted to contact
field-converted-company-id = Converted to company
field-converted-deal-id = Converted to deal
field-contact-id = Main contact
field-contacts = Contacts
field-contacts-help = Other people involved in the deal, each with a role.
field-pipeline-id = Pipeline
field-stage-id = Stage
field-amount-minor = Amount
field-currency = Currency
field-expected-close-date = Expected close
field-probability = Probability (%)
field-probability-help = Set by the stage unless you change it.
field-probability-overridden = Probability set by hand
field-competitor = Competitor
field-lost-reason = Lost because
field-status = Status
field-closed-at = Closed at
field-subject = Subject
field-body = Notes
field-due-at = Due
field-starts-at = Starts
field-ends-at = Ends
field-done = Done
field-outcome = Outcome
field-duration-minutes = Duration (minutes)
field-related = Related records
field-related-help = The contacts, companies and deals this activity is about.
field-participants = Participants
field-reminder-at = Remind me at
field-reminder-at-help = You get a notification at this time.
field-owner-id = Owner
field-tags = Tags
field-created-at = Created
field-updated-at = Updated
field-label = Label
field-serial = Serial
field-support-email = Support e-mail
field-colour = Colour
field-weight-grams = Weight (g)
field-made-on = Made on
field-maker-id = Maker
field-price = Price
field-parts = Parts
field-parts-total = Parts total
activity-field-kind = Type
lead-field-status = Lead status
deal-field-amount = Amount
deal-field-status = Status
deal-field-status-help = Open, won or lost: it follows the stage.

## Values of choice fields
enum-lifecycle-stage-subscriber = Subscriber
enum-lifecycle-stage-lead = Lead
enum-lifecycle-stage-qualified = Qualified
enum-lifecycle-stage-opportunity = Opportunity
enum-lifecycle-stage-customer = Customer
enum-lifecycle-stage-evangelist = Evangelist
enum-lifecycle-stage-other = Other
enum-preferred-channel-email = E-mail
enum-preferred-channel-phone = Phone
enum-preferred-channel-whatsapp = WhatsApp
enum-preferred-channel-sms = SMS
enum-size-band-1-10 = 1–10 people
enum-size-band-11-50 = 11–50 people
enum-size-band-51-200 = 51–200 people
enum-size-band-201-500 = 201–500 people
enum-size-band-501-1000 = 501–1,000 people
enum-size-band-1001-5000 = 1,001–5,000 people
enum-size-band-5001- = More than 5,000 people
enum-status-new = New
enum-status-contacted = Contacted
enum-status-qualified = Qualified
enum-status-disqualified = Disqualified
enum-status-converted = Converted
enum-status-open = Open
enum-status-won = Won
enum-status-lost = Lost
enum-kind-task = Task
enum-kind-call = Call
enum-kind-meeting = Meeting
enum-kind-email = E-mail
enum-kind-note = Note
enum-colour-red = Red
enum-colour-green = Green
enum-colour-blue = Blue
value-yes = Yes
value-no = No
value-none = —

## Actions
action-new = New { $kind }
action-close = Close
palette-title = Command palette
palette-commands = Go to and create
action-save = Save
action-cancel = Cancel
action-edit = Edit
action-delete = Delete
action-delete-confirm = Move this record to the trash? It can be restored for 30 days.
action-load-more = Load more
action-filter = Filter
action-clear-filters = Clear
action-sign-in = Sign in
action-create-admin = Create the administrator
action-log = Log
action-mark-done = Mark done
action-move = Move
action-search = Search
action-back = Back
action-keep-mine = Save mine over theirs
action-take-theirs = Discard mine, keep theirs
action-open = Open

## Lists
list-sort = Sort by
list-sort-newest = Newest first
list-sort-oldest = Oldest first
list-sort-ascending = { $field }, A to Z
list-sort-descending = { $field }, Z to A
list-filter-field = Field
list-filter-operator = Condition
list-filter-value = Value
list-export = Export CSV
list-export-vcard = Export vCard
list-shown = { $count ->
    [one] One shown
   *[other] { $count } shown
}
list-more-exist = more exist
list-select-row = Select
list-empty-filtered = Nothing matches these filters.
op-eq = is
op-ne = is not
op-contains = contains
op-starts-with = starts with
op-gt = after / above
op-gte = from / at least
op-lt = before / below
op-lte = until / at most
op-in = is one of
op-is-empty = is empty

## Record pages
record-personal-data = Personal data (JSON)
record-details = Details
record-timeline = Timeline
record-related = Related
record-created = Created { $when }
record-updated = Updated { $when } by { $who }
record-no-timeline = Nothing has happened here yet. Log a call or a note to start the story.
record-conflict-title = Someone else changed this record while you were editing
record-conflict-body = Their version is below, next to what you typed. Choose which to keep.
record-conflict-theirs = Their version
record-conflict-yours = Your changes
record-saved = Saved.
record-deleted = Moved to the trash.
record-created-ok = Created.
timeline-change = { $who } changed { $fields }
timeline-created = { $who } created this record
timeline-stage = Moved from { $from } to { $to }
timeline-someone = Someone
composer-title = Log an activity
composer-subject = What happened?
composer-kind = Type
composer-body = Notes
composer-due = Due (for tasks)
composer-reminder = Remind me at
related-contacts = Contacts
related-deals = Deals
related-activities = Activities
related-none = None yet.

## Deal board
board-title = Deal board
board-pipeline = Pipeline
board-owner = Owner
board-everyone = Everyone
board-mine = Mine
board-count = { $count ->
    [one] 1 deal
   *[other] { $count } deals
}
board-weighted = weighted { $amount }
board-more = More deals
board-lost-reason-title = Why was this deal lost?
board-lost-reason-label = Lost because
board-move-failed = The deal could not be moved: { $reason }
board-conflict = Someone else changed this deal meanwhile; the board was refreshed.
board-move-to = Move to
board-overdue = Overdue
board-no-amount = No amount

## Home
home-title = My day
home-greeting = Good to see you, { $name }.
home-overdue = Overdue tasks
home-today = Today
home-closing-soon = My deals closing soon
home-notifications = Unread notifications
home-nothing-overdue = Nothing overdue. Well done.
home-nothing-today = Nothing scheduled for today.
home-no-deals = No open deals closing in the next 30 days.
home-snooze = Tomorrow
home-no-notifications = You are up to date.
home-recent = Recently viewed
home-no-recent = Records you open show here.

## Search
search-title = Search
search-results = Results for “{ $query }”
search-none = Nothing found for “{ $query }”.
search-hint = Type a name, an e-mail, a phone number or a company.

## Signing in
sign-in-title = Sign in to Rapport
sign-in-email = E-mail
sign-in-password = Password
sign-in-failed = That e-mail and password do not match. Check them and try again.
sign-in-throttled = Too many attempts. Try again in { $seconds } seconds.
sign-in-busy = The server is busy. Try again in a moment.
sign-in-forgot = Forgot your password? Ask your administrator to set a new one.
sign-in-expired = Your session ended. Sign in again to continue.
setup-title = Welcome to Rapport
setup-intro = Create the administrator account. You can invite your team afterwards.
setup-name = Your name
setup-done = Your account is ready. Sign in to start.
setup-invalid = This setup link is no longer valid: an administrator exists already.

## Errors
error-title = Something went wrong
error-not-found = This does not exist, or you cannot see it.
error-forbidden = You are not allowed to do this.
error-form = Some fields need your attention.
error-internal = Something went wrong on our side. It has been logged; try again in a moment.
error-csrf = This form expired. Reload the page and try again.
error-required = Fill this in.
error-too-long = This is too long.
error-too-short = This is too short.
error-invalid-email = Enter a valid e-mail, like name@company.com.
error-invalid-phone = Enter a valid phone number, like +55 21 99775-2728.
error-invalid-url = Enter a web address, like https://example.com.
error-invalid-domain = Enter a domain, like example.com.
error-invalid-date = Enter a date.
error-invalid-datetime = Enter a date and a time.
error-invalid-number = Enter a whole number.
error-out-of-range = This number is out of range.
error-invalid-choice = Choose one of the options.
error-invalid-currency = Enter a currency code, like BRL or USD.
error-invalid-country = Enter a country code, like BR.
error-assignment-not-allowed = You can give records only to people of your team.
error-lost-reason-required = Say why the deal was lost.
error-invalid-character = This contains a character that cannot be stored.
error-derived-field = This is set by Rapport.
error-wrong-type = This value has the wrong type.
error-version-mismatch = Someone else changed this record meanwhile.
error-duplicate = This appears twice; each must be different.
error-won-lost-required = A pipeline needs exactly one won stage and one lost stage.
error-unknown-reference = This refers to something that does not exist.
error-stage-in-use = { $count ->
    [one] 1 deal (counting the trash) is in the stage "{ $stage }": move it to another stage before removing this one.
   *[other] { $count } deals (counting the trash) are in the stage "{ $stage }": move them to another stage before removing this one.
}
error-stage-kind-in-use = { $count ->
    [one] 1 deal is in the stage "{ $stage }": move it elsewhere before making the stage won, lost or open.
   *[other] { $count } deals are in the stage "{ $stage }": move them elsewhere before making the stage won, lost or open.
}

## Profile
profile-title = Your profile
profile-preferences = Language and time zone
profile-time-zone = Time zone
profile-password = Password
profile-current-password = Current password
profile-new-password = New password (at least 10 characters)
profile-keep-tokens = Keep my API tokens working
profile-change-password = Change password
profile-wrong-password = The current password is not correct.
profile-password-changed = Your password was changed. Sign in with the new one.
profile-tokens = API tokens
profile-tokens-hint = Tokens let other programs use Rapport's API as you. Revoke the ones you no longer use.
profile-token-once = Copy this token now: it is shown only once.
profile-token-name = Name
profile-token-scope = Access
profile-scope-read = Read only
profile-scope-read-write = Read and write
profile-create-token = Create token
profile-last-used = Last used
profile-revoke = Revoke
profile-revoked = Revoked
profile-name-title = Your name

## Settings
nav-settings = Settings
settings-title = Settings
settings-people = Users and teams
settings-records = Records
settings-pipelines = Pipelines
settings-trash = Trash
settings-users = Users
settings-role = Role
settings-teams = Teams
settings-status = Status
settings-enable = Enable
settings-disable = Disable
settings-new-user = Invite a user
settings-first-password = First password (they change it)
settings-add-user = Add user
settings-add-member = Add to team
settings-new-team = New team
settings-add-team = Add team
settings-visibility = Who sees which records
settings-visibility-hint = Private: the owner, their team's managers and administrators. Team: everyone in the owner's team. Everyone: every user.
settings-visibility-everyone = Everyone
settings-visibility-team = The owner's team
settings-visibility-private = Private to the owner
settings-custom-fields = Custom fields
settings-new-field = New custom field
settings-record-kind = For
settings-field-key = Key (letters, digits, _)
settings-field-type = Type
settings-field-options = Options (for choices, separated by commas)
settings-add-field = Add field
settings-delete-field-confirm = Delete this field? Its values stay in the records but are no longer shown.
settings-new-pipeline = New pipeline
settings-stages = Stages
settings-stages-help = One per line: name, a colon and the win probability; add "won" or "lost" for closing stages. Example: Proposal: 50
settings-add-pipeline = Add pipeline
settings-trash-empty = The trash is empty.
settings-new-password = New password
settings-set-password = Set
settings-restore = Restore
settings-pipeline-name = Pipeline name
settings-rename = Rename
settings-user-name = Name
settings-stage-name = Stage name
settings-stage-probability = Win probability (%)
settings-stage-kind = Closes the deal as
settings-move-up = Move up
settings-move-down = Move down
settings-remove-stage = Remove
settings-remove-stage-confirm = Remove this stage? Only a stage without deals can be removed.
settings-new-stage = New stage
settings-add-stage = Add stage
pipeline-default-name = Sales
pipeline-default-stage-0 = Qualification
pipeline-default-stage-1 = Needs analysis
pipeline-default-stage-2 = Proposal
pipeline-default-stage-3 = Negotiation
pipeline-default-stage-4 = Won
pipeline-default-stage-5 = Lost
role-admin = Administrator
role-manager = Manager
role-member = Member
role-read-only = Read only

## Notifications
notifications-title = Notifications
notification-reminder = Reminder: “{ $name }”
notification-lead-assigned = New lead assigned to you: “{ $name }”
notification-deal-moved = Your deal “{ $name }” was moved to “{ $stage }”
notifications-mark-read = Mark read

## Lead conversion
convert-title = Convert this lead
convert-found-contact = A contact with this e-mail exists:
convert-found-company = It joins the company
convert-contact = Contact
convert-link = Link to it
convert-create = Create a new one
convert-new-contact = A new contact is created from this lead.
convert-create-deal = Open a deal
convert-deal-name = Deal name
convert-action = Convert

## Keyboard shortcuts
shortcuts-search = Search
shortcuts-palette = Command palette
shortcuts-create = Create in this list
shortcuts-edit = Edit this record
shortcuts-rows = Next / previous row
shortcuts-board = Move a focused deal to the next or previous stage
shortcuts-help = These shortcuts

## Week calendar
calendar-title = My week
calendar-previous = Previous week
calendar-next = Next week
calendar-this-week = This week
calendar-day-0 = Mon
calendar-day-1 = Tue
calendar-day-2 = Wed
calendar-day-3 = Thu
calendar-day-4 = Fri
calendar-day-5 = Sat
calendar-day-6 = Sun

## Bulk actions
bulk-action = With the ticked rows
bulk-assign = Give to
bulk-add-tag = Add the tag
bulk-remove-tag = Remove the tag
bulk-delete = Move to the trash
bulk-tag = Tag
bulk-apply = Apply
views-title = Views
views-all = All
views-shared = shared
views-save = Save view
views-name = View name
views-share = Share with the team
views-delete = Delete view
columns-title = Columns
columns-legend = Columns to show
columns-apply = Show these columns
columns-reset = Default columns
bulk-set-field = Set a field
bulk-field = Field
bulk-value = New value
bulk-done = { $changed ->
    [one] One record changed
   *[other] { $changed } records changed
}{ $refused ->
    [0] .
   *[other] ; { $refused } you may not change were left as they were.
}

## imports
imports-title = Imports
imports-lede = Bring your spreadsheets and your old CRM's exports: check how each column is read before anything is stored.
imports-new = New import
imports-kind = Records
imports-file = File
imports-encoding = Encoding
imports-encoding-auto = Detect (UTF-8 or Windows-1252)
imports-upload = Upload and map
imports-upload-hint = CSV with commas or semicolons, up to 64 MB. Columns named as in HubSpot, Salesforce, Pipedrive or Google Contacts exports are recognised.
imports-history = Your imports
imports-none = No imports yet.
imports-status = Status
imports-outcome = Outcome
imports-when = Uploaded
imports-summary = { $rows } rows: { $created } created, { $skipped } skipped, { $rejected } rejected
imports-status-draft = Being mapped
imports-status-queued = Waiting
imports-status-running = Importing
imports-status-done = Done
imports-status-cancelled = Cancelled
imports-status-failed = Failed
imports-status-undone = Undone
imports-too-large = The file is larger than { $size } MB: split it and import the parts.
imports-no-file = Choose a file to import.
imports-import-started = This import has already started: its mapping can no longer change.
imports-import-changed = This import changed meanwhile. Reload the page.
imports-import-finished = This import has finished: undo it instead.
imports-import-undone = This import is already undone.
imports-import-unfinished = This import is still running: cancel it first.
imports-import-file-gone = The file of this import is no longer kept: upload it again.
imports-skip-column = Don't import
imports-outcome-create = Will be created
imports-outcome-skip = Duplicate
imports-outcome-reject = Has errors
imports-duplicate = Already stored, or repeats an earlier row: it will be skipped.
imports-left-rejected = rejected
imports-left-skipped = skipped as a duplicate
imports-decimal-comma = 1.234,56 (decimal comma)
imports-decimal-point = 1,234.56 (decimal point)
imports-dates-day-first = Day first (31/12/2026)
imports-dates-month-first = Month first (12/31/2026)
imports-dates-year-first = Year first (2026/12/31)
imports-duplicates-skip = Skip rows already stored
imports-duplicates-create = Import them as new records
imports-rows = Rows read
imports-created = Created
imports-skipped = Skipped
imports-rejected = Rejected
imports-mapping = Columns
imports-mapping-hint = Choose the field each column fills. Columns set to "Don't import" are left out.
imports-column = Column in the file
imports-samples = First values
imports-field = Field
imports-formats = How the file is written
imports-formats-hint = Guessed from the first rows: check that the numbers and dates below read as you expect.
imports-decimal = Numbers
imports-dates = Dates
imports-duplicates = Duplicates
imports-preview = Preview
imports-preview-hint = The first 20 rows as they would be imported, checked against what is already stored. Nothing is saved yet.
imports-line = Line
imports-problem = What to fix
imports-update-preview = Update preview
imports-start = Start import
imports-progress = Progress
imports-failed = The import stopped:
imports-cancelling = Stopping after the batch being saved…
imports-cancel = Cancel import
imports-running-hint = You can leave this page: the import goes on, and each batch is saved whole or not at all.
imports-open-list = Open the list
imports-download-report = Download the rows left out
imports-undo = Undo import
imports-undo-confirm = Move every record this import created to the trash?
imports-left-out = Rows left out
list-import = Import

# Duplicates and merge
dup-reason-email = same e-mail
dup-reason-phone = same phone
dup-reason-domain = same domain
dup-reason-tax-id = same tax id
dup-reason-name = similar name
dup-review-title = Possible duplicates: { $kind }
dup-review-scan = Scan now
dup-review-scan-queued = A scan is queued: the list fills in as it runs.
dup-review-help = Pairs that look like the same record, found by a scan of every record (nightly, after each import, or when you ask). Merge them, or mark them as not duplicates.
dup-review-empty = No possible duplicates found. A scan runs every night; "Scan now" runs one sooner.
dup-review-record = Record
dup-review-other = Looks like
dup-score = Score
dup-reasons = Why
dup-review-actions = Actions
dup-review-link = Duplicates
dup-merge-action = Merge
dup-dismiss = Not a duplicate
dup-merge-title = Merge two records
dup-merge-help = Choose the record that stays and, for each field that differs, the value it keeps. The other record goes to the trash.
dup-merge-field = Field
dup-merge-survivor = Record that stays
dup-merge-keep-this = Keep this one
dup-merge-joined = both kept
dup-merge-same = Fields with the same value
dup-merge-moves = Activities, deals, notes and links of the merged record move to the one that stays. You can undo the merge.
dup-merged-notice = Records merged.
dup-undo = Undo
dup-unmerged-notice = The merge was undone: both records are back as they were.
dup-created-warning = Saved. This record looks like records you already have: see "Possible duplicates".
dup-panel-title = Possible duplicates
dup-convert-candidates = Possible duplicates of what this creates:
dup-timeline-merged = { $who } merged duplicates into this record, or this record into another
