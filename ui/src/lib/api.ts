// Typed calls of the app's Tauri commands. Argument names follow the Rust parameters
// (Tauri converts camelCase keys to snake_case).
import { invoke, type InvokeArgs } from '@tauri-apps/api/core';
import type { CallView } from '../bindings/CallView';
import type { ApplicationView } from '../bindings/ApplicationView';
import type { ApplicationDraft } from '../bindings/ApplicationDraft';
import type { Intake } from '../bindings/Intake';
import type { IntakeSummary } from '../bindings/IntakeSummary';
import type { AppInfo } from '../bindings/AppInfo';
import type { Connected } from '../bindings/Connected';
import type { SampleSummary } from '../bindings/SampleSummary';
import type { Person } from '../bindings/Person';
import type { Makerspace } from '../bindings/Makerspace';
import type { Notification } from '../bindings/Notification';
import type { MentorCard } from '../bindings/MentorCard';
import type { MentorSearch } from '../bindings/MentorSearch';
import type { Mentor } from '../bindings/Mentor';
import type { Slot } from '../bindings/Slot';
import type { CalendarEntry } from '../bindings/CalendarEntry';
import type { WeeklyHours } from '../bindings/WeeklyHours';
import type { Policy } from '../bindings/Policy';
import type { DatedOverride } from '../bindings/DatedOverride';
import type { DateOverride } from '../bindings/DateOverride';
import type { Booking } from '../bindings/Booking';
import type { BookingView } from '../bindings/BookingView';
import type { NewBooking } from '../bindings/NewBooking';
import type { NewSeries } from '../bindings/NewSeries';
import type { SeriesPlan } from '../bindings/SeriesPlan';
import type { SeriesScope } from '../bindings/SeriesScope';
import type { WaitlistEntry } from '../bindings/WaitlistEntry';
import type { Lab } from '../bindings/Lab';
import type { Equipment } from '../bindings/Equipment';
import type { EquipmentDetail } from '../bindings/EquipmentDetail';
import type { NewEquipment } from '../bindings/NewEquipment';
import type { BlackoutWhen } from '../bindings/BlackoutWhen';
import type { BlackoutMode } from '../bindings/BlackoutMode';
import type { BlackoutOutcome } from '../bindings/BlackoutOutcome';
import type { Blackout } from '../bindings/Blackout';
import type { QualificationGrant } from '../bindings/QualificationGrant';
import type { LabCalendar } from '../bindings/LabCalendar';
import type { Role } from '../bindings/Role';
import type { ZoneName } from '../bindings/ZoneName';
import type { PlaceDefaults } from '../bindings/PlaceDefaults';
import type { SessionFeedback } from '../bindings/SessionFeedback';
import type { BlockView } from '../bindings/BlockView';
import type { HourBalance } from '../bindings/HourBalance';
import type { YearFigures } from '../bindings/YearFigures';
import type { TopUp } from '../bindings/TopUp';
import type { SeatView } from '../bindings/SeatView';
import type { OfficeHoursPlan } from '../bindings/OfficeHoursPlan';
import type { SessionPlace } from '../bindings/SessionPlace';
import type { MatchNeed } from '../bindings/MatchNeed';
import type { EventView } from '../bindings/EventView';
import type { NewEvent } from '../bindings/NewEvent';
import type { Attendee } from '../bindings/Attendee';
import type { MentorMatch } from '../bindings/MentorMatch';
import type { StartupRecord } from '../bindings/StartupRecord';
import type { StartupFilter } from '../bindings/StartupFilter';
import type { NewStartup } from '../bindings/NewStartup';
import type { Lang } from '../bindings/Lang';
import type { MentorReport } from '../bindings/MentorReport';
import type { EquipmentReport } from '../bindings/EquipmentReport';
import type { ReportTable } from '../bindings/ReportTable';
import type { ImportKind } from '../bindings/ImportKind';
import type { ImportOutcome } from '../bindings/ImportOutcome';
import type { IpcError } from '../bindings/IpcError';
import type { CommandName } from '../bindings/CommandName';
import type { SyncStatus } from '../bindings/SyncStatus';
import type { SyncReport } from '../bindings/SyncReport';
import type { Notice } from '../bindings/Notice';
import type { KioskDay } from '../bindings/KioskDay';
import type { UsageSession } from '../bindings/UsageSession';
import type { Purpose } from '../bindings/Purpose';
import type { CheckInCode } from '../bindings/CheckInCode';
import type { LabUtilisation } from '../bindings/LabUtilisation';
import type { EquipmentTermsView } from '../bindings/EquipmentTermsView';
import type { EquipmentTerms } from '../bindings/EquipmentTerms';

export type { IpcError };

/** Whether a thrown value is the `{code, message}` the commands return on failure. */
export function isIpcError(e: unknown): e is IpcError {
  return typeof e === 'object' && e !== null && 'code' in e && 'message' in e;
}

/** Invokes a command by a name the desktop registers (`CommandName` is generated from its list). */
function call<T>(name: CommandName, args?: InvokeArgs): Promise<T> {
  return invoke<T>(name, args);
}

export const api = {
  appInfo: () => call<AppInfo>('app_info'),
  loadSample: () => call<SampleSummary>('load_sample'),
  setLanguage: (language: Lang) => call<void>('set_language', { language }),
  setProfile: (personId: string) => call<Person>('set_profile', { personId }),
  listPeople: (role: Role | null = null, makerspaceCode: string | null = null) => call<Person[]>('list_people', { role, makerspaceCode }),
  listMakerspaces: () => call<Makerspace[]>('list_makerspaces'),
  notifications: () => call<Notification[]>('notifications'),

  searchMentors: (search: MentorSearch) => call<MentorCard[]>('search_mentors', { search }),
  getMentor: (id: string) => call<Mentor>('get_mentor', { id }),
  resourceSlots: (resourceId: string, from: string, to: string, minutes: number | null) =>
    call<Slot[]>('resource_slots', { resourceId, from, to, minutes }),
  resourceCalendar: (resourceId: string, from: string, to: string) => call<CalendarEntry[]>('resource_calendar', { resourceId, from, to }),
  myMentorProfile: () => call<Mentor | null>('my_mentor_profile'),
  zones: () => call<ZoneName[]>('zones'),
  matchMentors: (need: MatchNeed) => call<MentorMatch[]>('match_mentors', { need }),
  listEvents: () => call<EventView[]>('list_events'),
  publishEvent: (event: NewEvent) => call<string>('publish_event', { event }),
  cancelEvent: (eventId: string) => call<void>('cancel_event', { eventId }),
  registerForEvent: (eventId: string, registered: boolean) => call<void>('register_for_event', { eventId, registered }),
  eventAttendees: (eventId: string) => call<Attendee[]>('event_attendees', { eventId }),
  markAttendance: (eventId: string, personId: string, attended: boolean) => call<void>('mark_attendance', { eventId, personId, attended }),
  setMentorTimezone: (timezone: string) => call<Mentor>('set_mentor_timezone', { timezone }),
  yearFigures: (makerspaceCode: string, year: number) => call<YearFigures>('year_figures', { makerspaceCode, year }),
  exportYearFigures: (makerspaceCode: string, year: number, xlsx: boolean) => call<boolean>('export_year_figures', { makerspaceCode, year, xlsx }),
  districtYearFigures: (year: number) => call<YearFigures[]>('district_year_figures', { year }),
  exportDistrictYearFigures: (year: number, xlsx: boolean) => call<boolean>('export_district_year_figures', { year, xlsx }),
  hourBalances: (startupId: string) => call<HourBalance[]>('hour_balances', { startupId }),
  myHourBalances: () => call<HourBalance[]>('my_hour_balances'),
  allocateHours: (startupId: string, makerspaceId: string, hours: number, programme: string | null) =>
    call<string>('allocate_hours', { startupId, makerspaceId, hours, programme }),
  topUpHours: (allocationId: string, hours: number, reason: string) => call<void>('top_up_hours', { allocationId, hours, reason }),
  topUps: (allocationId: string) => call<TopUp[]>('top_ups', { allocationId }),
  publishOfficeHours: (plan: OfficeHoursPlan) => call<string[]>('publish_office_hours', { plan }),
  officeHours: (resourceId: string | null) => call<BlockView[]>('office_hours', { resourceId }),
  takeSeat: (blockId: string, seat: number | null, wait: boolean) => call<void>('take_seat', { blockId, seat, wait }),
  leaveSeat: (blockId: string) => call<void>('leave_seat', { blockId }),
  cancelOfficeHours: (blockId: string) => call<void>('cancel_office_hours', { blockId }),
  blockSeats: (blockId: string) => call<SeatView[]>('block_seats', { blockId }),
  placeDefaults: (mentorId: string) => call<PlaceDefaults>('place_defaults', { mentorId }),
  setPlaceDefaults: (mentorId: string, defaults: PlaceDefaults) => call<void>('set_place_defaults', { mentorId, defaults }),
  setSessionPlace: (bookingId: string, place: SessionPlace) => call<void>('set_session_place', { bookingId, place }),
  setWeeklyHours: (resourceId: string, hours: WeeklyHours[]) => call<void>('set_weekly_hours', { resourceId, hours }),
  setPolicy: (resourceId: string, policy: Policy) => call<void>('set_policy', { resourceId, policy }),
  dateOverrides: (resourceId: string, from: string) => call<DatedOverride[]>('date_overrides', { resourceId, from }),
  addDateOverride: (resourceId: string, dateOverride: DateOverride, note: string) =>
    call<string>('add_date_override', { resourceId, dateOverride, note }),
  removeDateOverride: (id: string) => call<void>('remove_date_override', { id }),

  book: (booking: NewBooking) => call<Booking>('book', { booking }),
  myBookings: () => call<BookingView[]>('my_bookings'),
  requests: () => call<BookingView[]>('requests'),
  approve: (bookingId: string) => call<Booking>('approve', { bookingId }),
  decline: (bookingId: string, reason: string) => call<Booking>('decline', { bookingId, reason }),
  cancel: (bookingId: string, reason: string | null) => call<Booking>('cancel', { bookingId, reason }),
  reschedule: (bookingId: string, start: string, end: string) => call<Booking>('reschedule', { bookingId, start, end }),
  complete: (bookingId: string) => call<Booking>('complete', { bookingId }),
  noShow: (bookingId: string) => call<Booking>('no_show', { bookingId }),
  giveFeedback: (bookingId: string, rating: number, comment: string, pairingFits: boolean | null) =>
    call<void>('give_feedback', { bookingId, rating, comment, pairingFits }),
  sessionFeedback: (bookingId: string) => call<SessionFeedback>('session_feedback', { bookingId }),
  joinWaitlist: (resourceId: string, start: string, end: string) => call<WaitlistEntry>('join_waitlist', { resourceId, start, end }),
  sessionNote: (bookingId: string) => call<string | null>('session_note', { bookingId }),
  setSessionNote: (bookingId: string, body: string) => call<void>('set_session_note', { bookingId, body }),
  exportIcs: () => call<boolean>('export_ics'),
  previewSeries: (series: NewSeries) => call<SeriesPlan>('preview_series', { series }),
  bookSeries: (series: NewSeries) => call<SeriesPlan>('book_series', { series }),
  cancelSeries: (bookingId: string, scope: SeriesScope, reason: string | null) => call<void>('cancel_series', { bookingId, scope, reason }),
  moveSeries: (bookingId: string, start: string, end: string, scope: SeriesScope) =>
    call<void>('move_series', { bookingId, start, end, scope }),

  listLabs: (makerspaceCode: string | null = null) => call<Lab[]>('list_labs', { makerspaceCode }),
  listEquipment: (labId: string | null = null, category: string | null = null) => call<Equipment[]>('list_equipment', { labId, category }),
  equipmentDetail: (id: string) => call<EquipmentDetail>('equipment_detail', { id }),
  saveEquipment: (id: string | null, equipment: NewEquipment) => call<Equipment>('save_equipment', { id, equipment }),
  addBlackout: (resourceId: string, when: BlackoutWhen, reason: string, mode: BlackoutMode) =>
    call<BlackoutOutcome>('add_blackout', { resourceId, when, reason, mode }),
  blackouts: (resourceId: string) => call<Blackout[]>('blackouts', { resourceId }),
  removeBlackout: (blackoutId: string) => call<void>('remove_blackout', { blackoutId }),
  qualifications: (resourceId: string) => call<QualificationGrant[]>('qualifications', { resourceId }),
  grantQualification: (personId: string, resourceId: string, expiresAt: string | null) =>
    call<void>('grant_qualification', { personId, resourceId, expiresAt }),
  revokeQualification: (personId: string, resourceId: string) => call<void>('revoke_qualification', { personId, resourceId }),
  labCalendar: (labId: string, from: string, to: string) => call<LabCalendar>('lab_calendar', { labId, from, to }),
  labUtilisation: (labId: string, weeks: number) => call<LabUtilisation>('lab_utilisation', { labId, weeks }),
  equipmentTerms: (resourceId: string) => call<EquipmentTermsView>('equipment_terms', { resourceId }),
  saveEquipmentTerms: (resourceId: string, terms: EquipmentTerms) => call<EquipmentTermsView>('save_equipment_terms', { resourceId, terms }),

  setRole: (personId: string, makerspaceCode: string, role: Role, granted: boolean) =>
    call<Person>('set_role', { personId, makerspaceCode, role, granted }),
  mentorReport: (from: string, to: string) => call<MentorReport>('mentor_report', { from, to }),
  equipmentReport: (from: string, to: string) => call<EquipmentReport>('equipment_report', { from, to }),
  exportReportCsv: (table: ReportTable, from: string, to: string) => call<boolean>('export_report_csv', { table, from, to }),
  importCsv: (kind: ImportKind, bytes: number[]) => call<ImportOutcome>('import_csv', { kind, bytes }),

  listStartups: (filter: StartupFilter) => call<StartupRecord[]>('list_startups', { filter }),
  myStartup: () => call<StartupRecord | null>('my_startup'),
  createStartup: (startup: NewStartup, leadId: string | null) => call<StartupRecord>('create_startup', { startup, leadId }),
  updateStartup: (startupId: string, startup: NewStartup) => call<StartupRecord>('update_startup', { startupId, startup }),
  setStartupMember: (startupId: string, personId: string, member: boolean, lead: boolean) =>
    call<StartupRecord>('set_startup_member', { startupId, personId, member, lead }),
  setResidency: (startupId: string, makerspaceId: string | null, residencyId: string | null, date: string) =>
    call<StartupRecord>('set_residency', { startupId, makerspaceId, residencyId, date }),
  listCalls: () => call<CallView[]>('list_calls'),
  listApplications: (callId: string | null) => call<ApplicationView[]>('list_applications', { callId }),
  saveApplication: (applicationId: string | null, callId: string, draft: ApplicationDraft) =>
    call<ApplicationView>('save_application', { applicationId, callId, draft }),
  submitApplication: (applicationId: string) => call<ApplicationView>('submit_application', { applicationId }),
  withdrawApplication: (applicationId: string, reason: string) => call<ApplicationView>('withdraw_application', { applicationId, reason }),
  requestRecheck: (applicationId: string, reason: string) => call<ApplicationView>('request_recheck', { applicationId, reason }),
  decideApplication: (applicationId: string, intake: Intake) => call<ApplicationView>('decide_application', { applicationId, intake }),
  intakeSummary: (callId: string) => call<IntakeSummary>('intake_summary', { callId }),
  answerMoveIn: (startupId: string, residencyId: string, accept: boolean) =>
    call<StartupRecord>('answer_move_in', { startupId, residencyId, accept }),
  confirmCreditCode: (startupId: string) => call<StartupRecord>('confirm_credit_code', { startupId }),

  syncStatus: () => call<SyncStatus | null>('sync_status'),
  connectServer: (url: string, username: string, password: string) => call<Connected>('connect_server', { url, username, password }),
  syncNow: () => call<SyncReport | null>('sync_now'),
  disconnectServer: () => call<void>('disconnect_server'),
  notices: () => call<Notice[]>('notices'),
  kioskDay: (labId: string) => call<KioskDay>('kiosk_day', { labId }),
  setKioskLab: (labId: string) => call<void>('set_kiosk_lab', { labId }),
  kioskCheckIn: (labId: string, code: string, purpose: Purpose) => call<UsageSession>('kiosk_check_in', { labId, code, purpose }),
  checkOut: (sessionId: string) => call<UsageSession>('check_out', { sessionId }),
  kioskWalkUp: (resourceId: string, phone: string, pin: string, minutes: number, purpose: Purpose) =>
    call<UsageSession>('kiosk_walk_up', { resourceId, phone, pin, minutes, purpose }),
  bookingCheckInCode: (bookingId: string) => call<CheckInCode>('booking_check_in_code', { bookingId }),
  kioskCheckInPin: (labId: string, phone: string, pin: string, purpose: Purpose) =>
    call<UsageSession>('kiosk_check_in_pin', { labId, phone, pin, purpose }),
  setKioskPin: (pin: string | null) => call<void>('set_kiosk_pin', { pin }),
};
