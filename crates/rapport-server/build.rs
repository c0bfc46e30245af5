//! Takes the files the API docs page needs out of the Swagger UI release that
//! `utoipa-swagger-ui-vendored` carries. The release also holds source maps
//! and three other bundles (9 MB the page never loads), so embedding it whole
//! would put them in the binary.

use std::io::Read;
use std::path::PathBuf;

/// Files of the release's `dist/` folder that `src/api/docs.rs` embeds.
const ASSETS: [&str; 3] = ["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"];

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("swagger-ui");
    std::fs::create_dir_all(&out).expect("create OUT_DIR/swagger-ui");
    let release = std::io::Cursor::new(utoipa_swagger_ui_vendored::SWAGGER_UI_VENDORED);
    let mut archive = zip::ZipArchive::new(release).expect("the vendored Swagger UI is a zip archive");
    for asset in ASSETS {
        // Entries sit under a versioned top folder: `swagger-ui-5.17.14/dist/…`.
        let name = archive
            .file_names()
            .find(|name| name.split('/').skip(1).eq(["dist", asset]))
            .unwrap_or_else(|| panic!("the Swagger UI release has no dist/{asset}"))
            .to_owned();
        let mut bytes = Vec::new();
        archive
            .by_name(&name)
            .and_then(|mut file| Ok(file.read_to_end(&mut bytes)?))
            .expect("unpack a Swagger UI file");
        std::fs::write(out.join(asset), bytes).expect("write a Swagger UI file");
    }
    println!("cargo::rerun-if-changed=build.rs");
}
