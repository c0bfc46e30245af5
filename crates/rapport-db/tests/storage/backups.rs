//! Scheduled backups of the SQLite database.

use chrono::Duration;
use rapport_db::backup;

use crate::common::run_on_both_backends;

/// The schedule backs up when its newest backup is old enough, and keeps
/// only its newest few; files it did not name are left alone.
#[tokio::test]
async fn scheduled_backups_come_when_due_and_the_oldest_go() {
    run_on_both_backends("scheduled backups", |t| async move {
        if t.backend() != rapport_db::Backend::Sqlite {
            return;
        }
        let folder = std::env::temp_dir().join(format!("rapport-schedule-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("manual-20260101-000000.db"), b"kept").unwrap();
        std::fs::write(folder.join("rapport-20260101-000000.db.partial"), b"cut short").unwrap();
        let schedule = backup::BackupSchedule { folder: folder.clone(), every: Duration::hours(24), keep: 2 };
        let mut made = Vec::new();
        for hours in [0, 1, 25, 50, 75] {
            let now = t.now() + Duration::hours(hours);
            made.push(backup::run_schedule(&t.ctx.db, &schedule, now).await.unwrap().is_some());
        }
        assert_eq!(made, [true, false, true, true, true], "one a day, not one an hour");
        let mut names: Vec<String> =
            std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        let last = |hours| backup::scheduled_name(t.now() + Duration::hours(hours));
        assert_eq!(names, ["manual-20260101-000000.db".to_owned(), last(50), last(75)]);
        let check = backup::check(&folder.join(last(75))).await.unwrap();
        assert!(check.schema_version >= 12, "{check:?}");
        std::fs::remove_dir_all(&folder).unwrap();
    })
    .await;
}
