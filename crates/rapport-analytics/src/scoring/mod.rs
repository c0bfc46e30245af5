//! Lead scoring (work in progress).
