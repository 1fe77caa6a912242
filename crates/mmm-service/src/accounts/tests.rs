use super::*;
use crate::repository::MockUserRepository;
use mockall::predicate::eq;

fn config() -> AuthConfig {
    AuthConfig {
        secret: "test-secret-that-is-long-enough-123".to_owned(),
        token_ttl_minutes: 30,
        bcrypt_cost: 4,
    }
}

fn stored(email: &str, password: &str, role: Role) -> User {
    User {
        id: "u1".to_owned(),
        email: email.to_owned(),
        full_name: None,
        password_hash: bcrypt::hash(password, 4).unwrap(),
        role,
        created_at: now(),
        tokens_valid_after: None,
    }
}

#[test]
fn register_stores_a_hashed_lowercased_user_and_signs_in() {
    let mut repo = MockUserRepository::new();
    repo.expect_insert()
        .withf(|u: &User| {
            u.email == "ann@example.com"
                && u.role == Role::User
                && u.password_hash.starts_with("$2")
                && bcrypt::verify("s3cret-pass", &u.password_hash).unwrap()
        })
        .times(1)
        .returning(|_| Ok(()));
    let accounts = Accounts::new(Arc::new(repo), config()).unwrap();
    let (user, token) =
        accounts.register("  Ann@Example.COM ", "s3cret-pass", Some("Ann".into())).unwrap();
    assert_eq!(user.email, "ann@example.com");
    assert_eq!(token.token_type, "bearer");
    assert_eq!(token.expires_in, 1800);
    let claims = accounts.verify(&token.access_token).unwrap();
    assert_eq!(claims.sub, user.id);
    assert_eq!(claims.email, "ann@example.com");
    assert_eq!(claims.role, Role::User);
    assert_eq!(claims.exp - claims.iat, 1800);
}

#[test]
fn register_rejects_bad_input_without_writing() {
    let mut repo = MockUserRepository::new();
    repo.expect_insert().times(0);
    let accounts = Accounts::new(Arc::new(repo), config()).unwrap();
    let short = accounts.register("a@b.co", "short", None).unwrap_err();
    assert_eq!(short, ServiceError::Invalid("password must be at least 8 characters".into()));
    let long = accounts.register("a@b.co", &"x".repeat(73), None).unwrap_err();
    assert_eq!(long, ServiceError::Invalid("password must be at most 72 bytes".into()));
    for email in ["", "no-at-sign", "a@b", "a b@c.de", "@c.de", "a@.de", "a@b@c.de"] {
        assert!(
            matches!(accounts.register(email, "long enough", None), Err(ServiceError::Invalid(_))),
            "{email}"
        );
    }
}

#[test]
fn duplicate_email_is_a_conflict() {
    let mut repo = MockUserRepository::new();
    repo.expect_insert().returning(|_| Err(RepoError::Conflict("users.email".into())));
    let accounts = Accounts::new(Arc::new(repo), config()).unwrap();
    let err = accounts.register("ann@example.com", "long enough", None).unwrap_err();
    assert_eq!(err, ServiceError::Conflict("an account with this email already exists".into()));
}

#[test]
fn login_fails_the_same_way_for_unknown_email_and_wrong_password() {
    let mut repo = MockUserRepository::new();
    let user = stored("ann@example.com", "right password", Role::User);
    repo.expect_by_email().with(eq("ann@example.com")).returning(move |_| Ok(Some(user.clone())));
    repo.expect_by_email().with(eq("bob@example.com")).returning(|_| Ok(None));
    let accounts = Accounts::new(Arc::new(repo), config()).unwrap();
    let wrong = accounts.login("ann@example.com", "wrong password").unwrap_err();
    let unknown = accounts.login("bob@example.com", "right password").unwrap_err();
    assert_eq!(wrong, unknown);
    assert_eq!(wrong, ServiceError::Unauthorized("incorrect email or password".into()));
    let (u, token) = accounts.login("ANN@example.com", "right password").unwrap();
    assert_eq!(u.id, "u1");
    assert_eq!(accounts.verify(&token.access_token).unwrap().sub, "u1");
}

#[test]
fn forged_expired_and_malformed_tokens_are_refused() {
    let accounts = Accounts::new(Arc::new(MockUserRepository::new()), config()).unwrap();
    let other = Accounts::new(
        Arc::new(MockUserRepository::new()),
        AuthConfig { secret: "another-secret-entirely-different".into(), ..config() },
    )
    .unwrap();
    let user = stored("ann@example.com", "x", Role::Admin);
    let forged = other.issue(&user).unwrap();
    assert_eq!(
        accounts.verify(&forged.access_token),
        Err(ServiceError::Unauthorized("token signature is invalid".into()))
    );
    assert_eq!(
        accounts.verify("not.a.token"),
        Err(ServiceError::Unauthorized("token is malformed".into()))
    );
    // A token that expired one second ago: no leeway.
    let now = chrono::Utc::now().timestamp();
    let claims = Claims {
        sub: "u1".into(),
        email: "a@b.co".into(),
        role: Role::User,
        iat: now - 100,
        exp: now - 1,
    };
    let expired = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(config().secret.as_bytes()),
    )
    .unwrap();
    assert_eq!(accounts.verify(&expired), Err(ServiceError::Unauthorized("token expired".into())));
}

#[test]
fn users_see_themselves_admins_see_all() {
    let mut repo = MockUserRepository::new();
    let user = stored("ann@example.com", "x", Role::User);
    repo.expect_by_id().returning(move |_| Ok(Some(user.clone())));
    repo.expect_list().returning(|| Ok(vec![]));
    let accounts = Accounts::new(Arc::new(repo), config()).unwrap();
    let ann = Actor { user_id: "u1".into(), role: Role::User };
    let bob = Actor { user_id: "u2".into(), role: Role::User };
    let admin = Actor { user_id: "a".into(), role: Role::Admin };
    assert_eq!(accounts.get(&ann, "u1").unwrap().id, "u1");
    assert_eq!(accounts.get(&bob, "u1"), Err(ServiceError::NotFound("user")));
    assert_eq!(accounts.get(&admin, "u1").unwrap().id, "u1");
    assert!(matches!(accounts.list(&ann), Err(ServiceError::Forbidden(_))));
    assert_eq!(accounts.list(&admin).unwrap(), vec![]);
}

#[test]
fn seeded_users_may_keep_short_passwords() {
    let mut repo = MockUserRepository::new();
    repo.expect_insert().returning(|_| Ok(()));
    let accounts = Accounts::new(Arc::new(repo), config()).unwrap();
    let u = accounts
        .create("test@example.com", "test123", None, Role::User, PasswordPolicy::SeedOnly)
        .unwrap();
    assert!(bcrypt::verify("test123", &u.password_hash).unwrap());
    assert!(
        accounts.create("x@example.com", "", None, Role::User, PasswordPolicy::SeedOnly).is_err()
    );
}

#[test]
fn a_password_change_refuses_the_tokens_issued_before_it_and_gives_a_new_one() {
    let user = stored("ann@example.com", "old password", Role::User);
    let (first, current) = (user.clone(), Arc::new(Mutex::new(user)));
    let mut repo = MockUserRepository::new();
    let read = Arc::clone(&current);
    repo.expect_by_id().returning(move |_| Ok(Some(read.lock().unwrap().clone())));
    let written = Arc::clone(&current);
    repo.expect_set_password_hash().times(1).returning(move |_, hash, at| {
        let mut user = written.lock().unwrap();
        user.password_hash = hash.to_owned();
        user.tokens_valid_after = Some(at);
        Ok(true)
    });
    let accounts = Accounts::new(Arc::new(repo), config()).unwrap();
    let mut old = accounts.verify(&accounts.issue(&first).unwrap().access_token).unwrap();
    // A token from a second before the change (tokens carry whole seconds).
    old.iat -= 1;
    assert_eq!(accounts.cached_account_check(&old), None);
    assert_eq!(accounts.check_account(&old), Ok(()));
    assert_eq!(accounts.cached_account_check(&old), Some(Ok(())));
    assert_eq!(
        accounts.change_password("u1", "wrong password", "new password").unwrap_err(),
        ServiceError::Invalid(WRONG_CURRENT_PASSWORD.into())
    );
    let token = accounts.change_password("u1", "old password", "new password").unwrap();
    let refused = ServiceError::Unauthorized(
        "the token was issued before the password changed; sign in again".into(),
    );
    // This process knows at once; another reads it from storage.
    assert_eq!(accounts.cached_account_check(&old), Some(Err(refused.clone())));
    let other = Accounts::new(Arc::new(stored_as(&current)), config()).unwrap();
    assert_eq!(other.check_account(&old), Err(refused));
    let new = accounts.verify(&token.access_token).unwrap();
    assert_eq!(accounts.cached_account_check(&new), Some(Ok(())));
    assert_eq!(other.check_account(&new), Ok(()));
    assert!(bcrypt::verify("new password", &current.lock().unwrap().password_hash).unwrap());
}

/// A repository that reads the one user `current` holds.
fn stored_as(current: &Arc<Mutex<User>>) -> MockUserRepository {
    let mut repo = MockUserRepository::new();
    let read = Arc::clone(current);
    repo.expect_by_id().returning(move |_| Ok(Some(read.lock().unwrap().clone())));
    repo
}

#[test]
fn a_token_of_an_account_that_no_longer_exists_is_refused() {
    let mut repo = MockUserRepository::new();
    repo.expect_by_id().times(1).returning(|_| Ok(None));
    let accounts = Accounts::new(Arc::new(repo), config()).unwrap();
    let claims = accounts
        .verify(&accounts.issue(&stored("ann@example.com", "pw", Role::User)).unwrap().access_token)
        .unwrap();
    let gone = ServiceError::Unauthorized("the account no longer exists".into());
    assert_eq!(accounts.check_account(&claims), Err(gone.clone()));
    // Remembered: the second check does not read storage again (the mock allows one read).
    assert_eq!(accounts.cached_account_check(&claims), Some(Err(gone)));
}

#[test]
fn a_read_that_began_before_the_change_does_not_put_the_old_cut_off_back() {
    // Storage answers as it was before the change, as a read that raced it would.
    let user = stored("ann@example.com", "old password", Role::User);
    let before = user.clone();
    let mut repo = MockUserRepository::new();
    repo.expect_by_id().returning(move |_| Ok(Some(before.clone())));
    repo.expect_set_password_hash().times(1).returning(|_, _, _| Ok(true));
    let accounts = Accounts::new(Arc::new(repo), config()).unwrap();
    let mut old = accounts.verify(&accounts.issue(&user).unwrap().access_token).unwrap();
    old.iat -= 1;
    accounts.change_password("u1", "old password", "new password").unwrap();
    let refused = Err(ServiceError::Unauthorized(
        "the token was issued before the password changed; sign in again".into(),
    ));
    assert_eq!(accounts.check_account(&old), refused);
    assert_eq!(accounts.cached_account_check(&old), Some(refused));
}
