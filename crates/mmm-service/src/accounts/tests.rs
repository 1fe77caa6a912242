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
