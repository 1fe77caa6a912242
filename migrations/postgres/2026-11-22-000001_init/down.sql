DROP TABLE jobs;
DROP TABLE models;
DROP TABLE datasets;
DROP TABLE users;
