//! The Incubook desktop shell: Tauri commands over the `incubook` core, nothing else.

mod commands;
pub mod error;
pub mod release;
pub mod state;
pub mod sync;

pub use commands::{
    admin, bookings, calls, events, instruments, kiosk, labs, mentors, office, series, session, startups, sync as sync_commands,
    year,
};

/// Every command the UI may call, listed once: the handler is built from this list, and so is
/// `CommandName` in the TypeScript bindings, so a renamed command fails `npm run check`.
macro_rules! with_commands {
    ($then:ident) => {
        $then!(
            session::app_info,
            session::load_sample,
            session::set_language,
            session::set_profile,
            session::list_people,
            session::list_makerspaces,
            session::notifications,
            mentors::search_mentors,
            mentors::get_mentor,
            mentors::resource_slots,
            mentors::resource_calendar,
            mentors::my_mentor_profile,
            mentors::zones,
            mentors::set_mentor_timezone,
            mentors::place_defaults,
            mentors::set_place_defaults,
            mentors::set_session_place,
            mentors::set_weekly_hours,
            mentors::set_policy,
            mentors::date_overrides,
            mentors::add_date_override,
            mentors::remove_date_override,
            bookings::book,
            bookings::my_bookings,
            bookings::requests,
            bookings::approve,
            bookings::decline,
            bookings::cancel,
            bookings::reschedule,
            bookings::complete,
            bookings::no_show,
            bookings::give_feedback,
            bookings::session_feedback,
            bookings::join_waitlist,
            bookings::session_note,
            bookings::set_session_note,
            bookings::export_ics,
            series::preview_series,
            series::book_series,
            series::cancel_series,
            series::move_series,
            labs::list_labs,
            labs::list_equipment,
            labs::equipment_detail,
            labs::save_equipment,
            labs::add_blackout,
            labs::blackouts,
            labs::remove_blackout,
            labs::qualifications,
            labs::grant_qualification,
            labs::revoke_qualification,
            labs::lab_calendar,
            labs::lab_utilisation,
            instruments::equipment_terms,
            instruments::save_equipment_terms,
            kiosk::kiosk_day,
            kiosk::set_kiosk_lab,
            kiosk::kiosk_check_in,
            kiosk::check_out,
            kiosk::kiosk_walk_up,
            kiosk::booking_check_in_code,
            kiosk::kiosk_check_in_pin,
            kiosk::set_kiosk_pin,
            startups::list_startups,
            year::year_figures,
            year::export_year_figures,
            year::district_year_figures,
            year::export_district_year_figures,
            startups::hour_balances,
            startups::my_hour_balances,
            startups::allocate_hours,
            startups::top_up_hours,
            startups::top_ups,
            startups::my_startup,
            startups::create_startup,
            startups::update_startup,
            startups::set_startup_member,
            startups::set_residency,
            startups::answer_move_in,
            startups::confirm_credit_code,
            calls::list_calls,
            calls::list_applications,
            calls::save_application,
            calls::submit_application,
            calls::withdraw_application,
            calls::request_recheck,
            calls::decide_application,
            calls::intake_summary,
            startups::match_mentors,
            events::list_events,
            office::publish_office_hours,
            office::office_hours,
            office::take_seat,
            office::leave_seat,
            office::cancel_office_hours,
            office::block_seats,
            events::publish_event,
            events::cancel_event,
            events::register_for_event,
            events::event_attendees,
            events::mark_attendance,
            admin::set_role,
            admin::mentor_report,
            admin::equipment_report,
            admin::export_report_csv,
            admin::import_csv,
            sync_commands::sync_status,
            sync_commands::connect_server,
            sync_commands::sync_now,
            sync_commands::disconnect_server,
            sync_commands::notices,
        )
    };
}

macro_rules! handler {
    ($($module:ident :: $command:ident),* $(,)?) => {
        tauri::generate_handler![$($module::$command),*]
    };
}

macro_rules! names {
    ($($module:ident :: $command:ident),* $(,)?) => {
        &[$(stringify!($command)),*]
    };
}

/// The names the UI invokes the commands by.
pub const COMMAND_NAMES: &[&str] = with_commands!(names);

/// Registers the plugins and commands; shared by the app and the command tests.
pub fn builder<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.plugin(tauri_plugin_dialog::init()).invoke_handler(with_commands!(handler))
}

/// The app shows one local page and fetches nothing remote, so WebKit's browser caches
/// (previous pages, decoded resources) only cost memory. (Turning GPU compositing off saved
/// 8 MB more, but then WebKitWebDriver's screenshots hang.)
fn lighten_webview<R: tauri::Runtime>(window: &tauri::WebviewWindow<R>) {
    let result = window.with_webview(|webview| {
        #[cfg(target_os = "linux")]
        {
            use webkit2gtk::{CacheModel, WebContextExt, WebViewExt};
            if let Some(context) = webview.inner().context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = webview;
    });
    if let Err(e) = result {
        eprintln!("incubook: cannot tune the web view: {e}");
    }
}

pub fn run() {
    // Each command is a span (`#[instrument]`); its errors go to stderr, as the server's do.
    let _ = tracing_subscriber::fmt().with_writer(std::io::stderr).try_init();
    let state = match state::AppState::open_default() {
        Ok(state) => state,
        Err(e) => {
            eprintln!("incubook: cannot open the database: {e}");
            std::process::exit(1);
        }
    };
    let app = builder(tauri::Builder::default())
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_notification::init())
        .manage(state)
        .setup(|app| {
            use tauri::Manager;
            if let Some(window) = app.get_webview_window("main") {
                lighten_webview(&window);
                // A kiosk fills the lab PC's screen.
                if state::kiosk_requested()
                    && let Err(e) = window.set_fullscreen(true)
                {
                    eprintln!("incubook: cannot go full screen: {e}");
                }
            }
            sync::start(app.handle().clone());
            release::start(app.handle().clone());
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = app {
        eprintln!("incubook: {e}");
        std::process::exit(1);
    }
}
