pub mod discovery;
pub mod health;
pub mod openapi;
