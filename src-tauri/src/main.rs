// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// WebKitGTK and GTK settings the app runs with unless the user set them: WebKit's DMA-BUF
/// renderer (GPU buffers shared between its processes) and GTK's OpenGL are not needed by a
/// screen of forms and calendars. Without them, under Xvfb, the app and its WebKit processes
/// took 456 MiB instead of 584 and the 300-instrument lab calendar drew in 18 ms instead of
/// 79 (`make figures`); on NVIDIA's driver the DMA-BUF renderer is also known to leave the
/// window blank.
#[cfg(target_os = "linux")]
const GRAPHICS_DEFAULTS: [(&str, &str); 2] = [("WEBKIT_DISABLE_DMABUF_RENDERER", "1"), ("GDK_GL", "disable")];

#[allow(unsafe_code)]
fn main() {
    #[cfg(target_os = "linux")]
    for (name, value) in GRAPHICS_DEFAULTS {
        if std::env::var_os(name).is_none() {
            // SAFETY: the first thing `main` does, while this is the only thread, so no other
            // thread can be reading the environment.
            unsafe { std::env::set_var(name, value) };
        }
    }
    incubook_desktop::run();
}
